// The refund agent's loop (declared: refund-agent, prompting, two tools).
import OpenAI from "openai";
import { lookupOrder, issueRefund } from "./payments";

const client = new OpenAI();

const tools = [
  { type: "function", function: { name: "lookup-order", parameters: { type: "object" } } },
  { type: "function", function: { name: "issue-refund", parameters: { type: "object" } } },
] as const;

export async function reply(messages: OpenAI.ChatCompletionMessageParam[]) {
  const completion = await client.chat.completions.create({ model: "gpt-4o-mini", messages, tools });
  for (const call of completion.choices[0].message.tool_calls ?? []) {
    if (call.function.name === "lookup-order") await lookupOrder(JSON.parse(call.function.arguments));
    if (call.function.name === "issue-refund") await issueRefund(JSON.parse(call.function.arguments));
  }
  return completion.choices[0].message;
}
