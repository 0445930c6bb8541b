"""Write a deterministic monorepo for the `archlint discover` benchmark (a git repository).

    python bench/discover_corpus.py OUTDIR [--files 20000] [--seed 18]

Python and TypeScript services of realistic size (40 to 300 lines, about 5 KB a file on
average), 1 % of the files using an AI library (every usage kind, with aliases, require and
instance calls), 0.5 % mentioning a library only in a comment or a string (the byte prefilter
lets them through, the parser finds nothing), vendored folders (vendor/, third_party/,
web/*/node_modules committed by mistake) holding copies of SDK code, and one ai-feature.yaml per
service. The same count and seed give the same bytes.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess

PY_AI = (
    "from openai import OpenAI\n\nclient = OpenAI()\n\n\ndef ask(q):\n    return client.chat.completions.create(model='gpt-4o-mini', messages=[{'role': 'user', 'content': q}])\n",
    "import openai as oa\n\n\ndef embed(text):\n    return oa.OpenAI().embeddings.create(model='text-embedding-3-small', input=text)\n",
    "import anthropic\n\n\ndef reply(messages, tools):\n    return anthropic.Anthropic().messages.create(model='claude', max_tokens=500, messages=messages, tools=tools)\n",
    "from pinecone import Pinecone\n\nindex = Pinecone().Index('kb')\n",
    "from qdrant_client import QdrantClient\n\nclient = QdrantClient(url='http://qdrant:6333')\n",
    "import chromadb\n\ncollection = chromadb.PersistentClient(path='/data').get_collection('docs')\n",
    "from langchain_openai import ChatOpenAI, OpenAIEmbeddings\n\nllm = ChatOpenAI()\nemb = OpenAIEmbeddings()\n",
    "from trl import SFTTrainer\n\n\ndef train(model, data):\n    return SFTTrainer(model=model, train_dataset=data).train()\n",
    "from transformers import pipeline\n\nsummarise = pipeline('summarization')\n",
    "import litellm\n\n\ndef complete(prompt):\n    return litellm.completion(model='gpt-4o', messages=[{'role': 'user', 'content': prompt}])\n",
    "from elasticsearch import Elasticsearch\n\n\ndef knn(vector):\n    return Elasticsearch().search(index='docs', knn={'field': 'v', 'query_vector': vector, 'k': 5})\n",
    "from peft import LoraConfig\n\nconfig = LoraConfig(r=8)\n",
)
TS_AI = (
    'import OpenAI from "openai";\n\nconst client = new OpenAI();\n\nexport async function ask(q: string) {\n  return client.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: q }] });\n}\n',
    'import Anthropic from "@anthropic-ai/sdk";\n\nexport const anthropic = new Anthropic();\n',
    'import { Pinecone } from "@pinecone-database/pinecone";\n\nexport const index = new Pinecone().index("kb");\n',
    'const { QdrantClient } = require("@qdrant/js-client-rest");\n\nexport const qdrant = new QdrantClient({ url: "http://qdrant:6333" });\n',
    'import { ChatOpenAI } from "@langchain/openai";\n\nexport const model = new ChatOpenAI().bindTools([lookup]);\n',
    'import OpenAI from "openai";\n\nexport async function tune(file: string) {\n  return new OpenAI().fineTuning.jobs.create({ training_file: file, model: "gpt-4o-mini" });\n}\n',
    'import { GoogleGenAI } from "@google/genai";\n\nexport const genai = new GoogleGenAI({});\n',
)
PY_MENTION = "# TODO: evaluate whether openai would beat the rules below\n"
TS_MENTION = '// note: the "anthropic" team asked for this endpoint\n'
SERVICES = ("billing", "search", "catalog", "orders", "identity", "shipping", "support", "analytics",
            "pricing", "inventory", "notifications", "payments", "reports", "accounts", "content")  # fmt: skip
WORDS = ("customer", "order", "invoice", "amount", "status", "record", "payload", "result", "item", "total",
         "account", "request", "response", "handler", "config", "session", "token", "event")  # fmt: skip


def python_body(rng: random.Random, lines: int) -> str:
    out = ['"""Service module."""', "", "from __future__ import annotations", "", "import json", "import logging",
           "from dataclasses import dataclass", "", "log = logging.getLogger(__name__)", ""]  # fmt: skip
    while len(out) < lines:
        a, b, c = rng.sample(WORDS, 3)
        out += [
            "", "@dataclass", f"class {a.title()}{b.title()}:", f"    {a}: str", f"    {b}: int = 0", "",
            f"    def {c}(self, {a}_id: str) -> dict[str, object]:",
            f'        """Return the {c} for one {a}."""',
            f"        if not {a}_id:", f'            raise ValueError("{a} id is empty")',
            f'        log.debug("{c} for %s", {a}_id)',
            f'        return {{"{a}": {a}_id, "{b}": self.{b}, "data": json.dumps(self.{a})}}',
        ]  # fmt: skip
    return "\n".join(out) + "\n"


def ts_body(rng: random.Random, lines: int) -> str:
    out = ['import { z } from "zod";', 'import type { Request, Response } from "express";', ""]
    while len(out) < lines:
        a, b, c = rng.sample(WORDS, 3)
        out += [
            "", f"export const {a}{b.title()}Schema = z.object({{ {a}: z.string(), {b}: z.number().int() }});",
            f"export type {a.title()}{b.title()} = z.infer<typeof {a}{b.title()}Schema>;", "",
            f"export async function {c}{a.title()}(req: Request, res: Response): Promise<void> {{",
            f"  const parsed = {a}{b.title()}Schema.safeParse(req.body);",
            "  if (!parsed.success) {", "    res.status(400).json({ error: parsed.error.message });", "    return;", "  }",
            f"  const {c} = {{ ...parsed.data, at: Date.now() }};", f"  res.json({c});", "}",
        ]  # fmt: skip
    return "\n".join(out) + "\n"


FEATURE = """apiVersion: archlint/v1
kind: AIFeature
metadata: {{name: {name}, owner: {owner}}}
spec:
  problem: behavior
  approach: prompting
"""


def generate(out: str, files: int, seed: int) -> None:
    rng = random.Random(seed)
    vendored = files // 20  # 5 % of the files are vendored copies
    own = files - vendored
    ai = set(rng.sample(range(own), own // 100))
    mention = set(rng.sample(sorted(set(range(own)) - ai), own // 200))
    for index in range(own):
        service = SERVICES[index % len(SERVICES)]
        typescript = index % 2 == 1
        folder = (
            f"web/{service}/src/{'abcdefghij'[index % 10]}"
            if typescript
            else f"services/{service}/{service}/m{index % 12}"
        )
        lines = rng.choice((40, 60, 90, 120, 160, 220, 300))
        body = ts_body(rng, lines) if typescript else python_body(rng, lines)
        if index in ai:
            body = rng.choice(TS_AI if typescript else PY_AI) + "\n" + body
        elif index in mention:
            body = (TS_MENTION if typescript else PY_MENTION) + body
        write(
            out,
            f"{folder}/{'module' if not typescript else 'handler'}_{index}.{'ts' if typescript else 'py'}",
            body,
        )
    for index in range(vendored):
        place = ("vendor/sdk", "third_party/clients", "web/app/node_modules/openai/src")[index % 3]
        typescript = index % 2 == 1
        body = (rng.choice(TS_AI) if typescript else rng.choice(PY_AI)) + (
            ts_body(rng, 120) if typescript else python_body(rng, 120)
        )
        write(out, f"{place}/copy_{index}.{'ts' if typescript else 'py'}", body)
    for number, service in enumerate(SERVICES):
        if number % 3 != 2:  # a third of the services declare nothing
            write(
                out,
                f"services/{service}/ai-feature.yaml",
                FEATURE.format(name=f"{service}-assistant", owner=service),
            )
            write(out, f"web/{service}/ai-feature.yaml", FEATURE.format(name=f"{service}-web", owner=service))
    subprocess.run(["git", "init", "-q"], cwd=out, check=True)
    subprocess.run(["git", "add", "-A"], cwd=out, check=True)
    subprocess.run(
        ["git", "-c", "user.email=b@example.com", "-c", "user.name=bench", "commit", "-qm", "corpus"],
        cwd=out,
        check=True,
    )


def write(root: str, relative: str, text: str) -> None:
    path = os.path.join(root, relative)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as stream:
        stream.write(text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("out")
    parser.add_argument("--files", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=18)
    args = parser.parse_args()
    if os.path.exists(args.out) and os.listdir(args.out):
        parser.error(f"{args.out} exists and is not empty")
    os.makedirs(args.out, exist_ok=True)
    generate(args.out, args.files, args.seed)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
