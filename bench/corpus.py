"""Benchmark corpora resampled from the real text in the shared data folder, written in the real input formats.

Two shapes: a caption-only corpus (a TSV of alt-text-like captions, one text unit each) and a
LLaVA-like mixture (a `blip_laion_cc_sbu_558k.json`-like pretraining file of prompt + caption, and a
`llava_v1_5_mix665k.json`-like file of multi-turn conversations with long GPT-4 answers), in
LLaVA-1.5's proportions of 558K pretraining to 665K instruction records.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

PRETRAIN_SHARE = 558_128 / (558_128 + 665_298)
# A few of the brief-description prompts that precede every caption in LLaVA's pretraining file.
BRIEF_PROMPTS = (
    "Render a clear and concise summary of the photo.",
    "Write a terse but informative summary of the picture.",
    "Describe the image concisely.",
    "Provide a brief description of the given image.",
    "Share a concise interpretation of the image provided.",
    "Give a short and clear explanation of the subsequent image.",
)


@dataclass(frozen=True)
class TextPools:
    captions: list[str]
    exchanges: list[tuple[str, str]]  # (instruction, answer)


def load_pools(data_dir: Path) -> TextPools:
    captions_dir, llava_dir = data_dir / "captions", data_dir / "llava"
    coco = json.loads((captions_dir / "coco_captions_val2017.json").read_text(encoding="utf-8"))
    captions = [annotation["caption"].strip() for annotation in coco["annotations"]]
    for line in (captions_dir / "flickr8k_token.txt").read_text(encoding="utf-8").splitlines():
        captions.append(line.partition("\t")[2].strip())
    for line in (captions_dir / "cc3m_validation.tsv").read_text(encoding="utf-8").splitlines():
        captions.append(line.partition("\t")[0].strip())
    exchanges = []
    for line in (llava_dir / "coco2014_val_gpt4_qa_30x3.jsonl").read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        exchanges.append((item["instruction"], item["output"]))
    for answers in sorted((llava_dir / "llava-bench-in-the-wild" / "answers").glob("*.jsonl")):
        for line in answers.read_text(encoding="utf-8").splitlines():
            item = json.loads(line)
            exchanges.append((item["prompt"], item["text"]))
    # one caption per TSV line: no tabs, and nothing that a reader would take for a line break
    return TextPools([c for c in captions if c and "\t" not in c and c.splitlines() == [c]], exchanges)


def write_captions(path: Path, n_captions: int, pools: TextPools, seed: int = 0) -> int:
    """A headerless one-column TSV of resampled captions; returns the number of text units."""
    picks = np.random.default_rng(seed).integers(0, len(pools.captions), n_captions)
    with open(path, "w", encoding="utf-8") as handle:
        for start in range(0, n_captions, 100_000):
            handle.write("".join(pools.captions[i] + "\n" for i in picks[start:start + 100_000]))
    return n_captions


def _write_json_array(path: Path, items) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("[")
        for index, item in enumerate(items):
            handle.write(("," if index else "") + json.dumps(item))
        handle.write("]")


def write_mixture(directory: Path, n_records: int, pools: TextPools, seed: int = 0, max_rounds: int = 4) -> dict[str, int]:
    """LLaVA-like pretraining and instruction files in `directory`; returns records and text units per file."""
    rng = np.random.default_rng(seed)
    n_pretrain = round(n_records * PRETRAIN_SHARE)
    n_instruct = n_records - n_pretrain
    captions = rng.integers(0, len(pools.captions), n_pretrain)
    prompts = rng.integers(0, len(BRIEF_PROMPTS), n_pretrain)

    def pretrain_items():
        for index, (caption, prompt) in enumerate(zip(captions, prompts)):
            yield {"id": f"{index:09d}", "image": f"{index // 10_000:05d}/{index:09d}.jpg", "conversations": [
                {"from": "human", "value": f"{BRIEF_PROMPTS[prompt]}\n<image>"},
                {"from": "gpt", "value": pools.captions[caption]}]}

    rounds = rng.integers(1, max_rounds + 1, n_instruct)
    exchanges = rng.integers(0, len(pools.exchanges), int(rounds.sum()))
    turns = {"pretrain": 2 * n_pretrain, "instruct": 2 * int(rounds.sum())}

    def instruct_items():
        used = 0
        for index, count in enumerate(rounds):
            conversation = []
            for round_index in range(count):
                question, answer = pools.exchanges[exchanges[used]]
                used += 1
                if round_index == 0:
                    question = f"<image>\n{question}"
                conversation += [{"from": "human", "value": question}, {"from": "gpt", "value": answer}]
            yield {"id": f"{index:012d}", "image": f"coco/train2017/{index:012d}.jpg", "conversations": conversation}

    _write_json_array(directory / "blip_laion_cc_sbu_558k.json", pretrain_items())
    _write_json_array(directory / "llava_v1_5_mix665k.json", instruct_items())
    return {"pretrain_records": n_pretrain, "instruct_records": n_instruct, "pretrain_texts": turns["pretrain"],
            "instruct_texts": turns["instruct"]}
