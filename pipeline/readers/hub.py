"""Files from the Hugging Face hub, with a fast, clear answer when the hub cannot be reached."""

from __future__ import annotations

import os
import socket
from pathlib import Path

from ..core.errors import ClassfreqError

HUB_HOST = "huggingface.co"


def hub_reachable(timeout: float = 3.0) -> bool:
    """False at once when offline, instead of the hub client's minute of retries."""
    if os.environ.get("HF_HUB_OFFLINE") == "1":
        return False
    try:
        with socket.create_connection((HUB_HOST, 443), timeout=timeout):
            return True
    except OSError:
        return False


def download_dataset_file(repo: str, filename: str, target: Path) -> Path:
    """A dataset file from the hub (or the hub client's cache); the error says where to put a local copy."""
    advice = (f"Download it from https://huggingface.co/datasets/{repo} and put it at {target}, "
              "or point the run's path at your copy.")
    from huggingface_hub import hf_hub_download

    try:
        return Path(hf_hub_download(repo, filename, repo_type="dataset", local_files_only=not hub_reachable()))
    except Exception as error:  # offline, gated or missing: the same advice in every case
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        state = "the hub is unreachable and it is not in the local hub cache" if not hub_reachable() else reason
        raise ClassfreqError(f"no local file at {target}, and {filename} could not be fetched from {repo}: {state}.\n{advice}") from None
