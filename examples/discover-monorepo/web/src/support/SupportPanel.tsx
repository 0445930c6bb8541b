// The agent-facing support panel streams answers straight from the model for short follow-ups
// (covered by support-search through its code_paths).
import { ChatOpenAI } from "@langchain/openai";

const model = new ChatOpenAI({ model: "gpt-4o-mini", temperature: 0 });

export async function followUp(question: string): Promise<string> {
  const answer = await model.invoke(question);
  return String(answer.content);
}
