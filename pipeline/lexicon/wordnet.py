"""Make Princeton WordNet 3.0 available to NLTK, offline when possible.

Where WordNet comes from, in order:

1. NLTK already finds ``corpora/wordnet`` on ``nltk.data.path`` (including a copy this module made
   earlier under the cache root);
2. ``nltk.download('wordnet')`` into the cache root (needs the internet; fails fast without it);
3. a system WordNet dictionary folder (``$WORDNET_DIR`` or Debian's ``wordnet-base`` in
   ``/usr/share/wordnet``), *copied* into ``<cache_root>/corpora/wordnet/``: NLTK refuses symlinks and
   folders outside its data roots ("Unauthorized path"), and Debian's package lacks the ``lexnames``
   and ``index.sense`` files NLTK reads, so they are written here (``index.sense`` rebuilt from
   the data, index and ``cntlist.rev`` files);
4. otherwise a :class:`~pipeline.core.errors.ClassfreqError` saying how to get WordNet.

Debian's noun offsets equal Princeton WordNet 3.0, so ImageNet wnids resolve
(``synset_from_pos_and_offset('n', 1440764)`` is ``tench.n.01``).
"""

from __future__ import annotations

import functools
import io
import json
import logging
import os
import shutil
import socket
import sys
import tempfile
from pathlib import Path

from ..core.errors import ClassfreqError
from ..core.paths import cache_dir
from ..core.system_packages import can_install_system_packages, install_command, install_system_packages

log = logging.getLogger(__name__)

#: WordNet 3.0's ``lexnames``: lexicographer file number, name, syntactic category (tab separated).
LEXNAMES = (
    "adj.all", "adj.pert", "adv.all", "noun.Tops", "noun.act", "noun.animal", "noun.artifact",
    "noun.attribute", "noun.body", "noun.cognition", "noun.communication", "noun.event",
    "noun.feeling", "noun.food", "noun.group", "noun.location", "noun.motive", "noun.object",
    "noun.person", "noun.phenomenon", "noun.plant", "noun.possession", "noun.process",
    "noun.quantity", "noun.relation", "noun.shape", "noun.state", "noun.substance", "noun.time",
    "verb.body", "verb.change", "verb.cognition", "verb.communication", "verb.competition",
    "verb.consumption", "verb.contact", "verb.creation", "verb.emotion", "verb.motion",
    "verb.perception", "verb.possession", "verb.social", "verb.stative", "verb.weather", "adj.ppl",
)
_LEX_CATEGORY = {"noun": 1, "verb": 2, "adj": 3, "adv": 4}
LEXNAMES_TEXT = "".join(
    f"{i:02d}\t{name}\t{_LEX_CATEGORY[name.split('.')[0]]}\n" for i, name in enumerate(LEXNAMES)
)

#: The dictionary files NLTK's WordNet reader needs (the others in a system folder are copied too).
REQUIRED_FILES = tuple(
    f"{kind}.{pos}" for pos in ("noun", "verb", "adj", "adv") for kind in ("index", "data")
) + ("noun.exc", "verb.exc", "adj.exc", "adv.exc")

SYSTEM_WORDNET_DIR = Path("/usr/share/wordnet")
DOWNLOAD_TIMEOUT_S = 5.0
_MARKER = ".classfreq-source.json"

WORDNET_PACKAGES = ("wordnet-base",)
INSTALL_HINT = (
    f"WordNet 3.0 is not available. Install it with `{install_command(WORDNET_PACKAGES)}` (files in "
    "/usr/share/wordnet; or point WORDNET_DIR at a WordNet 3.0 dict folder), or, with internet, "
    "`.venv/bin/python -m nltk.downloader -d ~/.cache/classfreq/nltk_data wordnet`; then run `make demo` again."
)


def default_cache_root() -> Path:
    return cache_dir() / "nltk_data"


def _nltk_finds_wordnet() -> str | None:
    import nltk

    try:
        return str(nltk.data.find("corpora/wordnet"))
    except LookupError:
        return None


def _add_data_root(root: Path) -> None:
    import nltk

    root_s = str(root)
    if root_s not in nltk.data.path:
        nltk.data.path.insert(0, root_s)


def _source_fingerprint(src: Path) -> dict:
    files = sorted(p for p in src.iterdir() if p.is_file())
    return {
        "format": 2,  # bump when the copy's layout changes (2: lexnames + index.sense)
        "source": str(src),
        "files": {p.name: [p.stat().st_size, int(p.stat().st_mtime)] for p in files},
    }


def _system_dir() -> Path | None:
    env = os.environ.get("WORDNET_DIR")
    candidates = [Path(env)] if env else []
    candidates.append(SYSTEM_WORDNET_DIR)
    for cand in candidates:
        # Some layouts keep the dictionary in a `dict/` sub-folder.
        for d in (cand, cand / "dict"):
            if d.is_dir() and all((d / f).is_file() for f in REQUIRED_FILES):
                return d
    return None


_SS_TYPE = {"n": 1, "v": 2, "a": 3, "r": 4, "s": 5}
_POS_FILES = {"noun": "n", "verb": "v", "adj": "a", "adv": "r"}


def _strip_marker(word: str) -> str:
    """``galore(ip)`` -> ``galore``: adjective position markers are not part of the lemma."""
    return word.split("(", 1)[0] if word.endswith(")") else word


def build_index_sense(folder: Path) -> str:
    """Build WordNet 3.0's ``index.sense`` from the ``data.*``, ``index.*`` and ``cntlist.rev`` files.

    Debian's ``wordnet-base`` does not ship ``index.sense``; NLTK's reader opens it when it loads
    (to map sense keys between versions) and for ``lemma_from_key``. Lines are
    ``sense_key synset_offset sense_number tag_cnt``, sorted like the Princeton file.
    """
    folder = Path(folder)
    synsets: dict[tuple[str, int], tuple[list[tuple[str, int]], int, str, int | None]] = {}
    for pos_name, pos in _POS_FILES.items():
        with open(folder / f"data.{pos_name}", encoding="utf-8", errors="surrogateescape") as fh:
            for line in fh:
                if line.startswith("  "):
                    continue  # licence header
                fields = line.split(" | ", 1)[0].split()
                offset, lex_filenum, ss_type = int(fields[0]), int(fields[1]), fields[2]
                n_words = int(fields[3], 16)
                words = [
                    (_strip_marker(fields[4 + 2 * i]).lower(), int(fields[5 + 2 * i], 16))
                    for i in range(n_words)
                ]
                i = 4 + 2 * n_words
                n_ptrs = int(fields[i])
                head = None
                for j in range(n_ptrs):
                    sym, tgt, tpos = fields[i + 1 + 4 * j: i + 4 + 4 * j]
                    if ss_type == "s" and sym == "&" and tpos == "a" and head is None:
                        head = int(tgt)
                synsets[(pos, offset)] = (words, lex_filenum, ss_type, head)
    # sense numbers: the order of a lemma's synsets in index.<pos>
    sense_number: dict[tuple[str, str, int], int] = {}
    for pos_name, pos in _POS_FILES.items():
        with open(folder / f"index.{pos_name}", encoding="utf-8", errors="surrogateescape") as fh:
            for line in fh:
                if line.startswith("  "):
                    continue
                fields = line.split()
                lemma, synset_cnt, p_cnt = fields[0], int(fields[2]), int(fields[3])
                offsets = fields[6 + p_cnt: 6 + p_cnt + synset_cnt]
                for k, off in enumerate(offsets, 1):
                    sense_number[(lemma, pos, int(off))] = k
    counts: dict[str, int] = {}
    cntlist = folder / "cntlist.rev"
    if cntlist.is_file():
        with open(cntlist, encoding="utf-8", errors="surrogateescape") as fh:
            for line in fh:
                parts = line.split()
                if len(parts) == 3:
                    counts[parts[0]] = int(parts[2])
    lines = []
    for (pos, offset), (words, lex_filenum, ss_type, head) in synsets.items():
        head_word = head_id = ""
        if ss_type == "s" and head is not None:
            head_words = synsets[("a", head)][0]
            head_word, hid = head_words[0]
            head_id = f"{hid:02d}"
        for lemma, lex_id in words:
            key = f"{lemma}%{_SS_TYPE[ss_type]}:{lex_filenum:02d}:{lex_id:02d}:{head_word}:{head_id}"
            num = sense_number.get((lemma, pos, offset), 0)
            lines.append(f"{key} {offset:08d} {num} {counts.get(key, 0)}\n")
    # "A" and "a" in one synset give one key: keep each line once.
    return "".join(sorted(set(lines)))


def _copy_system_wordnet(src: Path, cache_root: Path) -> Path:
    """Copy ``src`` to ``<cache_root>/corpora/wordnet`` (atomically) unless an identical copy exists."""
    target = cache_root / "corpora" / "wordnet"
    fingerprint = _source_fingerprint(src)
    marker = target / _MARKER
    if marker.is_file():
        try:
            if json.loads(marker.read_text(encoding="utf-8")) == fingerprint:
                return target
        except (OSError, ValueError):
            pass
    corpora = target.parent
    corpora.mkdir(parents=True, exist_ok=True)
    for d in (cache_root, corpora):
        os.chmod(d, 0o755)  # NLTK refuses data roots writable by others
    tmp = Path(tempfile.mkdtemp(prefix=".wordnet-", dir=corpora))
    try:
        for p in sorted(src.iterdir()):
            if p.is_file() and not p.is_symlink():
                shutil.copyfile(p, tmp / p.name)
                os.chmod(tmp / p.name, 0o644)
        if not (tmp / "lexnames").is_file():
            (tmp / "lexnames").write_text(LEXNAMES_TEXT, encoding="ascii")
            os.chmod(tmp / "lexnames", 0o644)
        if not (tmp / "index.sense").is_file():
            (tmp / "index.sense").write_text(build_index_sense(tmp), encoding="utf-8",
                                             errors="surrogateescape")
            os.chmod(tmp / "index.sense", 0o644)
        (tmp / _MARKER).write_text(json.dumps(fingerprint, sort_keys=True), encoding="utf-8")
        os.chmod(tmp, 0o755)
        if target.exists():
            shutil.rmtree(target)
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return target


def _try_download(cache_root: Path) -> bool:
    import nltk

    old_timeout = socket.getdefaulttimeout()
    socket.setdefaulttimeout(DOWNLOAD_TIMEOUT_S)
    try:
        cache_root.mkdir(parents=True, exist_ok=True)
        os.chmod(cache_root, 0o755)
        # nltk prints its own multi-line error even when quiet; keep the console to our one line
        ok = bool(nltk.download("wordnet", download_dir=str(cache_root), quiet=True,
                                raise_on_error=True, print_error_to=io.StringIO()))
    except Exception as exc:  # network errors come wrapped in ValueError/URLError/OSError
        msg = " ".join(str(exc).split())
        print(f"classfreq: nltk.download('wordnet') failed ({msg[:200]}); trying a system WordNet",
              file=sys.stderr)
        return False
    finally:
        socket.setdefaulttimeout(old_timeout)
    if not ok:
        print("classfreq: nltk.download('wordnet') failed; trying a system WordNet", file=sys.stderr)
    return ok


def ensure_wordnet(cache_root: Path | None = None, allow_download: bool = True, install_system: bool = False) -> str:
    """Make ``corpora/wordnet`` findable by NLTK; return where it came from (one line).

    In order: NLTK's data, an earlier copy, NLTK's downloader (online), the system's WordNet folder, and with
    `install_system` (`classfreq setup`, as root) the system package. Idempotent: a second call (or a later
    process) finds the earlier copy under ``cache_root`` without copying or downloading again.
    """
    cache_root = Path(cache_root) if cache_root is not None else default_cache_root()
    found = _nltk_finds_wordnet()
    if found:
        return f"wordnet: NLTK data at {found}"
    # A copy or download made earlier under our cache root (refreshed if the system folder changed).
    cached = cache_root / "corpora" / "wordnet"
    if (cached / _MARKER).is_file() or (cache_root / "corpora" / "wordnet.zip").is_file():
        src = _system_dir()
        if (cached / _MARKER).is_file() and src is not None:
            _copy_system_wordnet(src, cache_root)
        _add_data_root(cache_root)
        found = _nltk_finds_wordnet()
        if found:
            return f"wordnet: cached copy at {found}"
    # CLASSFREQ_OFFLINE=1 (set by the tests) never touches the network
    if allow_download and not os.environ.get("CLASSFREQ_OFFLINE") and _try_download(cache_root):
        _add_data_root(cache_root)
        found = _nltk_finds_wordnet()
        if found:
            return f"wordnet: downloaded by nltk to {found}"
    src = _system_dir()
    installed = ""
    if src is None and install_system and can_install_system_packages():
        install_system_packages(WORDNET_PACKAGES)
        src, installed = _system_dir(), f" (installed just now: apt-get install {' '.join(WORDNET_PACKAGES)})"
    if src is not None:
        target = _copy_system_wordnet(src, cache_root)
        _add_data_root(cache_root)
        found = _nltk_finds_wordnet()
        if found:
            return f"wordnet: system dictionary {src}{installed} copied to {target}"
        raise ClassfreqError(f"copied WordNet from {src} to {target}, but NLTK does not find it. {INSTALL_HINT}")
    raise ClassfreqError(INSTALL_HINT)


@functools.cache
def _loaded(cache_root: Path | None, allow_download: bool):
    origin = ensure_wordnet(cache_root, allow_download)
    log.info(origin)
    from nltk.corpus import wordnet as wn

    wn.ensure_loaded()
    return wn


def wordnet(cache_root: Path | None = None, allow_download: bool = True):
    """NLTK's WordNet corpus reader, made available once per process (see :func:`ensure_wordnet`)."""
    return _loaded(Path(cache_root) if cache_root is not None else None, allow_download)

