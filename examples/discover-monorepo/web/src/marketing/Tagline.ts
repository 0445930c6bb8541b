// Generates A/B tagline variants for landing pages. Nobody declared this feature (DSC001).
import OpenAI from "openai";

const openai = new OpenAI();

export async function taglines(product: string): Promise<string[]> {
  const response = await openai.responses.create({
    model: "gpt-4o-mini",
    input: `Write five taglines for ${product}, one per line.`,
  });
  return response.output_text.split("\n").filter(Boolean);
}
