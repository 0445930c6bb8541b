"""Write deterministic chat-format fine-tuning files for the evidence benchmark and examples.

    python bench/evidence/generate.py OUTDIR [--train 1000000] [--eval 100000] [--leak 0.005] [--seed 7]

`train.jsonl` holds `--train` chat records (system, user, assistant) of about
1 KB each (1,000,000 records: about 1 GB); `eval.jsonl` holds `--eval` other
records, of which a `--leak` share are copies of training inputs (so the
exact-overlap check has something to find). Every record is distinct: the
ticket number in each user turn is unique. The same arguments always give the
same bytes.
"""

from __future__ import annotations

import argparse
import json
import os
import random
from collections.abc import Iterator

SYSTEM = "You route customer support tickets to one of twelve queues and extract the order fields as JSON."
QUEUES = (
    "shipping",
    "billing",
    "account",
    "damage",
    "returns",
    "warranty",
    "fraud",
    "tax",
    "invoices",
    "subscriptions",
    "accessibility",
    "feedback",
)
OPENERS = ("Hello,", "Hi team,", "Good morning,", "To whom it may concern,", "Hey,", "Dear support,", "")
PROBLEMS = (
    "my order {order} has not arrived although the tracking page said it would be delivered on {day}",
    "I was charged twice for order {order} and the second charge of {amount} EUR is still pending",
    "I cannot log in since {day}; the password reset e-mail never reaches my inbox",
    "the parcel for order {order} arrived with a crushed corner and the {item} inside is broken",
    "I would like to return the {item} from order {order} because it is the wrong size",
    "the {item} I bought in {month} stopped working and I think it is still under warranty",
    "there is a purchase of {amount} EUR on my account that I did not make",
    "the invoice for order {order} shows the wrong VAT number for my company",
    "please cancel my subscription before the renewal on {day}",
    "your checkout page does not work with my screen reader when I pick a delivery slot",
)
DETAILS = (
    "I already wrote to you on {day} and nobody answered.",
    "The reference on my bank statement is {ref}.",
    "I am travelling until {month}, so please reply by e-mail.",
    "My neighbour received a parcel for me last week, maybe it is related.",
    "This is the third time this happens this year.",
    "I attached a photo of the {item} to my previous message.",
    "Can you also tell me when the {item} will be back in stock?",
    "My customer number is {customer}.",
    "I need this sorted before {day}, it was a present.",
    "Thanks in advance for your help.",
)
ITEMS = (
    "kettle",
    "desk lamp",
    "headphones",
    "rain jacket",
    "coffee grinder",
    "backpack",
    "monitor arm",
    "blender",
    "hiking boots",
    "phone case",
    "office chair",
    "toaster",
)
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def _user(rng: random.Random, number: int) -> str:
    values = {
        "order": f"A{rng.randrange(10**7, 10**8)}",
        "day": f"{rng.choice(MONTHS)} {rng.randrange(1, 29)}",
        "amount": f"{rng.randrange(5, 900)}.{rng.randrange(100):02d}",
        "item": rng.choice(ITEMS),
        "month": rng.choice(MONTHS),
        "ref": f"R-{rng.randrange(10**9):09d}",
        "customer": f"C{rng.randrange(10**6):06d}",
    }
    problem = rng.choice(PROBLEMS).format(**values)
    details = " ".join(rng.choice(DETAILS).format(**values) for _ in range(rng.randrange(4, 10)))
    return f"{rng.choice(OPENERS)} ticket {number}: {problem}. {details}".strip()


def record(rng: random.Random, number: int, user: str | None = None) -> dict[str, object]:
    user = user if user is not None else _user(rng, number)
    answer = {
        "queue": rng.choice(QUEUES),
        "order_id": f"A{rng.randrange(10**7, 10**8)}",
        "urgency": rng.choice(("low", "medium", "high")),
        "summary": " ".join(
            rng.choice(DETAILS).format(day="Monday", ref="R-1", month="May", item="item", customer="C1")
            for _ in range(rng.randrange(4, 8))
        ),
    }
    return {
        "messages": [
            {"role": "system", "content": SYSTEM},
            {"role": "user", "content": user},
            {"role": "assistant", "content": json.dumps(answer)},
        ]
    }


def train_records(count: int, seed: int) -> Iterator[dict[str, object]]:
    rng = random.Random(seed)
    for number in range(count):
        yield record(rng, number)


def eval_records(count: int, seed: int, leak: float, train_count: int) -> Iterator[dict[str, object]]:
    """Records numbered after the training set; a `leak` share copy a training record's user turn."""
    rng = random.Random(seed + 1)
    again = random.Random(seed)
    leaked = sorted(rng.sample(range(count), int(count * leak))) if count and leak else []
    # The user turns of the first training records, regenerated (never held in memory).
    copies = [record(again, number)["messages"][1]["content"] for number in range(len(leaked))]  # type: ignore[index]
    by_line = dict(zip(leaked, copies, strict=True))
    for index in range(count):
        yield record(rng, train_count + index, by_line.get(index))


def write(path: str, records: Iterator[dict[str, object]]) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        handle.writelines(json.dumps(item, ensure_ascii=False) + "\n" for item in records)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("outdir")
    parser.add_argument("--train", type=int, default=1_000_000)
    parser.add_argument("--eval", type=int, default=100_000)
    parser.add_argument("--leak", type=float, default=0.005)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    os.makedirs(args.outdir, exist_ok=True)
    write(os.path.join(args.outdir, "train.jsonl"), train_records(args.train, args.seed))
    write(os.path.join(args.outdir, "eval.jsonl"), eval_records(args.eval, args.seed, args.leak, args.train))


if __name__ == "__main__":
    main()
