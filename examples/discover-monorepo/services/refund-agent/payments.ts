// Thin client of the payments service; the 50 EUR cap is enforced there, not here.
export async function lookupOrder(args: { orderId: string }) {
  const response = await fetch(`/api/orders/${encodeURIComponent(args.orderId)}`);
  return response.json();
}

export async function issueRefund(args: { orderId: string; amountCents: number }) {
  const response = await fetch("/api/refunds", { method: "POST", body: JSON.stringify(args) });
  return response.json();
}
