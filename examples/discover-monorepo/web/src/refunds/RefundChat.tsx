// The chat window of the refund agent: it only talks to our own API.
export function RefundChat({ send }: { send: (text: string) => Promise<string> }) {
  return <form onSubmit={(event) => { event.preventDefault(); void send("hello"); }}><input name="text" /></form>;
}
