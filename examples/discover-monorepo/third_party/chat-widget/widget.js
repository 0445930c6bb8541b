// A vendored copy of a chat widget: someone else's code, skipped unless --include-vendored.
import OpenAI from "openai";

export const client = new OpenAI({ dangerouslyAllowBrowser: true });
