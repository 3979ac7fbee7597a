"""Product-code prior: charset, normalisation, brand patterns and pattern-constrained decoding.

Codes use ``A–Z``, ``0–9``, dash and space. Two codes are the same when they are equal after
`normalize` (uppercase, spaces and dashes dropped).

Brand patterns are a *soft* prior: each pattern (`PATTERNS`) has a weight, and a reading that
fits no pattern is still returned through the ``generic`` pattern with a lower weight. Patterns
are written as slot sequences (``L`` letter, ``D`` digit, ``A`` either, ``-`` an optional dash or
space, a literal set such as ``[MWU]``), each with a ``{min,max}`` repeat.

Two ways to use the prior:

* `decode_patterns(probs)` — on CTC class probabilities from the recognizer, the best reading
  *within each pattern* (a CTC Viterbi over the pattern's slots). Confusables (O/0, I/1, S/5,
  B/8, Z/2, G/6, D/0, Q/0) are resolved by the recognizer's own second choices at that frame,
  so a digit slot takes the likeliest digit rather than a fixed substitution table.
* `repair(text)` / `score_text(text, conf)` — on plain strings (from any OCR engine): the
  confusable table applied only at positions where a pattern clearly wants the other class.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import string
from dataclasses import dataclass

import numpy as np

LETTERS = string.ascii_uppercase
DIGITS = string.digits
CHARSET = LETTERS + DIGITS + "- "
_IDX = {c: i for i, c in enumerate(CHARSET)}
NC = len(CHARSET)
DASH, SPACE = _IDX["-"], _IDX[" "]

# Letter -> digit it is confused with, and back.
TO_DIGIT = {"O": "0", "D": "0", "Q": "0", "U": "0", "I": "1", "L": "1", "T": "7", "Z": "2",
            "S": "5", "B": "8", "G": "6", "A": "4"}  # fmt: skip
TO_LETTER = {"0": "O", "1": "I", "2": "Z", "5": "S", "8": "B", "6": "G", "4": "A", "7": "T"}
# Lookalikes an OCR engine may return for charset characters.
_FOLD = str.maketrans(
    {
        "—": "-", "–": "-", "_": "-", "‐": "-", "−": "-", "~": "-",
        "|": "I", "!": "I", "$": "S", "§": "S", "@": "0", "°": "0", "Ø": "0", "ø": "0",
        "Ο": "O", "О": "O", "І": "I", "Ζ": "Z", "Β": "B", "Κ": "K", "Μ": "M", "Ν": "N",
        "Τ": "T", "Х": "X", "Н": "H", "Р": "P", "С": "C", "Е": "E", "А": "A", "В": "B",
    }
)  # fmt: skip


def normalize(code: str) -> str:
    """Comparison key: uppercase, no spaces or dashes."""
    return re.sub(r"[\s\-]+", "", code.upper())


def clean(text: str) -> str:
    """Map OCR output into the charset: fold lookalikes, uppercase, drop the rest."""
    text = text.translate(_FOLD).upper()
    text = "".join(c if c in CHARSET else ("" if not c.isspace() else " ") for c in text)
    return re.sub(r"\s+", " ", re.sub(r"\s*-\s*", "-", text)).strip(" -")


def same_code(a: str, b: str) -> bool:
    return normalize(a) == normalize(b)


# ---- patterns -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pattern:
    name: str
    spec: str
    weight: float  # prior weight (generic = lowest)
    sep: str = ""  # how a separator slot is written in the canonical form ("-" or " ")

    @functools.cached_property
    def slots(self) -> list[tuple[np.ndarray, bool, bool]]:
        """Expanded slots: (allowed-class mask, optional, is-separator)."""
        return _expand(self.spec)

    @functools.cached_property
    def regex(self) -> re.Pattern[str]:
        return re.compile(_to_regex(self.spec))

    def fits(self, code: str) -> bool:
        """Whether the normalised code is in the pattern (separators ignored)."""
        return bool(self.regex.fullmatch(normalize(code)))


_CLASS = {"L": LETTERS, "D": DIGITS, "A": LETTERS + DIGITS}
_TOKEN = re.compile(r"(\[[A-Z0-9]+\]|[LDA-])(?:\{(\d+)(?:,(\d+))?\})?")


def _tokens(spec: str) -> list[tuple[str, int, int]]:
    out = []
    for tok in spec.split():
        m = _TOKEN.fullmatch(tok)
        if not m:
            raise ValueError(f"bad pattern token {tok!r}")
        body, lo, hi = m.group(1), m.group(2), m.group(3)
        n_lo = int(lo) if lo else 1
        n_hi = int(hi) if hi else n_lo
        chars = body[1:-1] if body.startswith("[") else _CLASS.get(body, "-")
        out.append((chars, n_lo, n_hi))
    return out


def _expand(spec: str) -> list[tuple[np.ndarray, bool, bool]]:
    slots = []
    for chars, lo, hi in _tokens(spec):
        mask = np.zeros(NC, bool)
        if chars == "-":
            mask[[DASH, SPACE]] = True
            slots.append((mask, True, True))  # separators are always optional
            continue
        mask[[_IDX[c] for c in chars]] = True
        for i in range(hi):
            slots.append((mask, i >= lo, False))
    return slots


def _to_regex(spec: str) -> str:
    parts = []
    for chars, lo, hi in _tokens(spec):
        if chars == "-":
            continue
        cls = {"LETTERS": "[A-Z]", "DIGITS": "[0-9]"}.get(
            "LETTERS" if chars == LETTERS else "DIGITS" if chars == DIGITS else "", ""
        ) or ("[A-Z0-9]" if chars == LETTERS + DIGITS else f"[{chars}]")
        parts.append(f"{cls}{{{lo},{hi}}}")
    return "".join(parts)


PATTERNS: tuple[Pattern, ...] = (
    Pattern("nike", "L{2} D{4} - D{3}", 1.0, "-"),  # CW2288-111
    Pattern("adidas", "L{2} D{4}", 1.0),  # GZ5922
    Pattern("newbalance", "[MWUGKY] L{0,1} D{3,4} L{0,3} D{0,1}", 0.9),  # M990GL6, ML574EVG
    Pattern("converse", "D{6} - D{3}", 1.0, " "),  # 343938 013
    Pattern("converse6", "D{6} L", 0.8),  # 162050C
    Pattern("adidas5", "L D{5}", 0.9),  # S80783, B37846 (older adidas article numbers)
    Pattern("puma", "D{6} - D{2}", 0.8, " "),  # 374915 01
    Pattern("asics", "D{4} L D{3} - D{3}", 1.0, "-"),  # 1011B548-001
    Pattern("vans", "[V] [N] [0] A{8}", 0.9),  # VN0A4BV4VR3
    Pattern("style9", "D L{2} D{5} L", 0.9),  # 1RM01575D
    Pattern("alnum11", "L{2} D L{3} D{4} L", 0.9),  # FS1SIZ3220X
)
GENERIC_WEIGHT = 0.6


def family(code: str) -> str:
    """Name of the first brand pattern the code fits, or "generic"."""
    for p in PATTERNS:
        if p.fits(code):
            return p.name
    return "generic"


def prior(code: str) -> float:
    """Prior weight of a code: its best pattern's weight, or the generic weight."""
    n = normalize(code)
    if not n or any(c not in CHARSET for c in n):
        return 0.0
    w = max((p.weight for p in PATTERNS if p.fits(n)), default=GENERIC_WEIGHT)
    if not 4 <= len(n) <= 14:
        w *= 0.3
    return w


def canonical(code: str) -> str:
    """Display form: uppercase, single separators; the pattern's separator where one fits."""
    c = clean(code)
    n = normalize(c)
    if PATTERNS[0].fits(n):
        return f"{n[:6]}-{n[6:]}"
    for p in PATTERNS:
        if p.sep and p.fits(n) and p.name != "nike":
            head = sum(hi for chars, _lo, hi in _tokens(p.spec)[: _sep_at(p)])
            sep = "-" if "-" in c else " " if " " in c else p.sep
            return f"{n[:head]}{sep}{n[head:]}"
    return c


def _sep_at(p: Pattern) -> int:
    return next(i for i, (chars, _lo, _hi) in enumerate(_tokens(p.spec)) if chars == "-")


# ---- the letter/digit and label-word prior ------------------------------------------------------

# Words printed on tags next to the code. Prefix words introduce the code ("ART CP9448",
# "MTL VN0A2XSZW00"); suffix words start other fields ("COLOR: BKLM", "SIZE 9").
PREFIX_WORDS = ("STYLENO", "STYLE", "ARTICLE", "ARTNO", "ART", "MTL", "MODEL", "SKU", "REF",
                "CODE", "ITEM", "PRODUCT", "PROD", "CAT", "NO")  # fmt: skip
SUFFIX_WORDS = ("COLOR", "COLOUR", "SIZE", "MADEIN", "MADE")
# Log-prior (nats) of a letter where product codes almost always have a digit, outside a
# brand pattern: O in a code with digits (codes avoid O next to 0), I next to a digit, and
# S/T inside or closing a digit run. A swap costs SWAP_COST, so the digit wins unless the
# code fits a brand pattern with that letter (Nike's AO/DO prefixes).
RARE_LETTER_COST = {"O": 4.0, "I": 1.5, "S": 1.5, "T": 1.5}
SWAP_COST = 0.5  # per swap, when the recognizer's probabilities are not at hand
# With them, a swap costs log p(letter) − log p(digit) at the character's best frame, capped
# here: fonts draw O and 0 nearly alike, so the recognizer's certainty between them is worth
# at most this much (less than O's RARE_LETTER_COST: in a code with digits, O becomes 0).
SWAP_CAP = 3.5
# Dropping a stray last character costs this much; it only pays when the rest fits a pattern.
TRIM_COST = 2.5


def _rare_letters(code: str) -> list[int]:
    """Positions (in `code`) of letters the prior says should be digits (see RARE_LETTER_COST)."""
    n = normalize(code)
    if not any(c.isdigit() for c in n) or family(n) != "generic":
        return []
    # words apart ("AIR FORCE 107") keep their letters: only a word with a digit is looked at
    with_digit = set()
    start = 0
    for word in code.split(" "):
        if any(c.isdigit() for c in word):
            with_digit.update(range(start, start + len(word)))
        start += len(word) + 1
    out = []
    chars = [(i, c) for i, c in enumerate(code) if c not in "- "]
    for k, (i, c) in enumerate(chars):
        prev = chars[k - 1][1] if k > 0 else ""
        nxt = chars[k + 1][1] if k + 1 < len(chars) else ""
        if i not in with_digit:
            continue
        if c == "O":
            out.append(i)
        elif c == "I" and (prev.isdigit() or nxt.isdigit()):
            out.append(i)
        elif c in "ST":
            prev2 = chars[k - 2][1] if k > 1 else ""
            closing = not nxt and prev.isdigit() and prev2.isdigit()
            if (prev.isdigit() and nxt.isdigit()) or closing:
                out.append(i)
    return out


def letter_cost(code: str) -> float:
    """Log-prior cost (nats, ≥ 0) of the letters in `code` that codes rarely have there."""
    return sum(RARE_LETTER_COST[code[i]] for i in _rare_letters(code))


def prefer_digits(code: str) -> str:
    """`code` with each rare letter (see letter_cost) turned into its digit: SOOA5CO → S00A5C0."""
    chars = list(code)
    for i in _rare_letters(code):
        chars[i] = TO_DIGIT.get(chars[i], chars[i]) if chars[i] != "T" else "1"
    return "".join(chars)


def strip_label_words(code: str) -> str:
    """The code without label words around it: "MTL VN0A2XSZW00" → "VN0A2XSZW00",
    "SN 232292 COLOR BKLM" keeps "SN 232292". Glued words ("MTLVN0A…") are cut only where
    the rest fits a brand pattern, so a code that starts with those letters is kept."""
    text = clean(code)
    words = text.replace("-", " - ").split()
    for k, w in enumerate(words):
        if any(w.startswith(s) for s in SUFFIX_WORDS) and k > 0:
            words = words[:k]
            break
    while len(words) > 1 and words[0] in PREFIX_WORDS:
        words = words[1:]
        if words and words[0] == "-":
            words = words[1:]
    text = re.sub(r"\s*-\s*", "-", " ".join(words)).strip(" -")
    n = normalize(text)
    if family(n) == "generic":
        for w in PREFIX_WORDS:
            if n.startswith(w) and family(n[len(w) :]) != "generic":
                return canonical(n[len(w) :])
    return text


def swap_logp(reading: Reading, cp: np.ndarray) -> float:
    """Log-probability change of `prefer_digits` on a greedy `reading` of charset
    probabilities `cp`: per swapped character, its digit against its letter at the frame where
    the letter peaked, each capped at −SWAP_CAP."""
    total = 0.0
    for i in _rare_letters(reading.code):
        t = reading.frames[i] if i < len(reading.frames) else -1
        if t < 0:
            total -= SWAP_COST
            continue
        letter = reading.code[i]
        digit = "1" if letter == "T" else TO_DIGIT[letter]
        d = np.log(cp[t, 1 + _IDX[digit]]) - np.log(cp[t, 1 + _IDX[letter]])
        total += max(float(d), -SWAP_CAP)
    return total


def prior_variants(code: str, swap: float | None = None) -> list[tuple[str, float]]:
    """`code` and the readings the prior may prefer, each with its log-prior (nats, ≤ 0):
    label words dropped, rare letters turned into digits (at the log-probability change
    `swap`, from `swap_logp`, or SWAP_COST each), a stray last character dropped where the
    rest fits a brand pattern."""
    out: dict[str, tuple[str, float]] = {}

    def add(c: str, cost: float) -> None:
        k = normalize(c)
        if k and (k not in out or out[k][1] < -cost):
            out[k] = (c, -cost)

    text = clean(code)
    swapped = prefer_digits(text)
    swap_cost = SWAP_COST * len(_rare_letters(text)) if swap is None else -swap
    for base, cost in ((text, 0.0), (swapped, swap_cost)):
        for c in {base, strip_label_words(base)}:
            add(c, cost + letter_cost(c))
            n = normalize(c)
            if len(n) > 5 and family(n) == "generic" and family(n[:-1]) != "generic":
                add(canonical(n[:-1]), cost + TRIM_COST)
    return list(out.values())


# ---- repair on strings --------------------------------------------------------------------------


def _class_fit(text: str, pattern: Pattern) -> tuple[str, int] | None:
    """Repair `text` into `pattern` by confusable swaps only; (repaired, swaps) or None."""
    n = normalize(text)
    best: tuple[str, int] | None = None
    # Try every length assignment by matching slot classes greedily (patterns are short).
    slots = [s for s in pattern.slots if not s[2]]

    @functools.cache
    def go(i: int, k: int) -> tuple[str, int] | None:
        if i == len(n):
            return ("", 0) if all(opt for _m, opt, _s in slots[k:]) else None
        if k == len(slots):
            return None
        mask, opt, _sep = slots[k]
        res = []
        if opt:
            r = go(i, k + 1)
            if r:
                res.append(r)
        c = n[i]
        for cand, cost in ((c, 0), (TO_DIGIT.get(c), 1), (TO_LETTER.get(c), 1)):
            if cand and mask[_IDX[cand]]:
                r = go(i + 1, k + 1)
                if r:
                    res.append((cand + r[0], r[1] + cost))
        return min(res, key=lambda x: x[1]) if res else None

    best = go(0, 0)
    return best


def repair(text: str, *, max_swaps: int = 2) -> list[tuple[str, str, int]]:
    """Pattern-fitting versions of `text`: [(code, pattern name, swaps)], fewest swaps first.

    A swap (O→0, 1→I, …) happens only where the pattern's slot wants the other class; codes
    that already fit come back with 0 swaps.
    """
    out = []
    for p in PATTERNS:
        r = _class_fit(text, p)
        if r and r[1] <= max_swaps:
            out.append((canonical(r[0]), p.name, r[1]))
    out.sort(key=lambda x: x[2])
    return out


def score_text(text: str, confidence: float) -> list[tuple[str, float]]:
    """Candidates for an OCR string with its confidence, scored with the prior (best first)."""
    c = clean(text)
    if not normalize(c):
        return []
    weights = {p.name: p.weight for p in PATTERNS}
    cands = {normalize(c): (canonical(c), confidence * prior(c))}
    for code, name, swaps in repair(c):
        s = confidence * weights[name] * (0.8**swaps)
        k = normalize(code)
        if k not in cands or cands[k][1] < s:
            cands[k] = (code, s)
    return sorted(cands.values(), key=lambda x: -x[1])


# ---- pattern-constrained CTC decoding -----------------------------------------------------------


@dataclass
class Reading:
    code: str
    pattern: str
    logp: float  # log-probability of the best CTC path
    char_conf: list[float]  # per emitted character, its best frame probability
    frames: list[int] = dataclasses.field(default_factory=list)  # greedy: each char's frame

    @property
    def confidence(self) -> float:
        if not self.char_conf:
            return 0.0
        c = np.clip(np.asarray(self.char_conf), 1e-6, 1.0)
        return float(np.exp(np.log(c).mean()) ** 0.5 * c.min() ** 0.5)


def charset_probs(probs: np.ndarray, classes: list[str]) -> np.ndarray:
    """(frames, 1 + len(CHARSET)) probabilities — blank first — folded from the recognizer's
    classes (lowercase into uppercase, lookalikes into their charset character) and
    renormalised per frame."""
    fold = _fold_matrix(tuple(classes))
    out = probs @ fold if probs.shape[1] == fold.shape[0] else probs
    out = out + 1e-9
    return out / out.sum(1, keepdims=True)


@functools.cache
def _fold_matrix(classes: tuple[str, ...]) -> np.ndarray:
    m = np.zeros((len(classes), NC + 1), np.float32)
    for i, ch in enumerate(classes):
        if i == 0:
            m[i, 0] = 1.0
            continue
        c = ch.translate(_FOLD).upper() if len(ch) == 1 else ""
        if c in _IDX:
            m[i, 1 + _IDX[c]] = 1.0
        elif ch in ".,:;'`\"":
            m[i, 0] = 1.0  # punctuation specks: treat as blank
    return m


def greedy(cp: np.ndarray) -> Reading:
    """Best path over the whole charset (no pattern): argmax per frame, CTC-collapsed."""
    idx = cp.argmax(1)
    best = cp[np.arange(len(idx)), idx]
    chars, confs, frames = [], [], []
    prev = 0
    for t, i in enumerate(idx):
        if i != 0 and i != prev:
            chars.append(CHARSET[i - 1])
            confs.append(float(best[t]))
            frames.append(t)
        elif i != 0 and confs and best[t] > confs[-1]:
            confs[-1] = float(best[t])
            frames[-1] = t
        prev = i
    text = "".join(chars)
    ct = clean(text)
    # drop confidences of separators that clean() removed at the ends
    conf = [c for ch, c in zip(chars, confs, strict=True) if ch not in "- "] or [0.0]
    # frames per character of the cleaned text (clean() only trims ends and squeezes runs)
    lead = len(text) - len(text.lstrip(" -"))
    cframes = frames[lead : lead + len(ct)] if ct == text[lead : lead + len(ct)] else []
    return Reading(ct, "generic", float(np.log(best).sum()), conf, cframes)


@functools.cache
def _compiled() -> tuple:
    """All patterns stacked for a batched Viterbi.

    masks (P, K, C): allowed characters per slot; pred (P, K, D): predecessor state rows
    (row k+1 = slot k, row 0 = start; rows ≥ K+1 are a dead "never" row); final (P, K+1): may
    end after slot k.
    """
    P = len(PATTERNS)
    K = max(len(p.slots) for p in PATTERNS)
    masks = np.zeros((P, K, NC), bool)
    plist: list[list[list[int]]] = []
    final = np.zeros((P, K + 1), bool)
    for pi, p in enumerate(PATTERNS):
        slots = p.slots
        rows = []
        for j, (mask, _opt, _sep) in enumerate(slots):
            masks[pi, j] = mask
            srcs = []
            k = j - 1
            while True:
                srcs.append(k + 1)
                if k < 0 or not slots[k][1]:
                    break
                k -= 1
            rows.append(srcs)
        rows += [[] for _ in range(K - len(slots))]
        plist.append(rows)
        for k in range(-1, len(slots)):
            final[pi, k + 1] = all(s[1] for s in slots[k + 1 :])
    D = max(len(r) for rows in plist for r in rows)
    dead = K + 1
    pred = np.full((P, K, D), dead, np.int64)
    for pi, rows in enumerate(plist):
        for j, srcs in enumerate(rows):
            pred[pi, j, : len(srcs)] = srcs
    return masks, pred, final


_NEG = -1e9


def _compress(cp: np.ndarray, thresh: float = 0.995) -> np.ndarray:
    """Collapse runs of near-certain blank frames into one frame (same best paths, fewer
    frames)."""
    blank = cp[:, 0] > thresh
    keep = ~blank | np.concatenate([[True], ~blank[:-1]])
    return cp[keep]


def _active_chars(cp: np.ndarray) -> np.ndarray:
    """Charset indices worth considering: seen with some probability, plus their confusables
    and at least the likeliest letter and digit (so every pattern slot has a choice)."""
    mx = cp[:, 1:].max(0)
    keep = mx > 1e-4
    for i in np.flatnonzero(keep):
        ch = CHARSET[i]
        for other in (TO_DIGIT.get(ch), TO_LETTER.get(ch)):
            if other:
                keep[_IDX[other]] = True
    ar = np.arange(NC)
    keep[np.argmax(np.where(ar < 26, mx, -1))] = True
    keep[np.argmax(np.where((ar >= 26) & (ar < 36), mx, -1))] = True
    keep[[DASH, SPACE]] = True
    return np.flatnonzero(keep)


def decode_patterns(cp: np.ndarray) -> list[Reading]:
    """Best reading within each pattern for charset probabilities `cp` (see charset_probs)."""
    cp = _compress(cp)
    active = _active_chars(cp)
    masks_all, pred, final = _compiled()
    masks = masks_all[:, :, active]
    P, K, C = masks.shape
    T = cp.shape[0]
    neg = _NEG
    lp = np.log(cp[:, 1 + active])  # (T, C)
    lb = np.log(cp[:, 0])  # (T,)
    pidx = np.arange(P)[:, None, None]
    # Rows: 0 = start, k+1 = slot k, K+1 = dead. Eh[t, p, row, c] char states, Bh[t, p, row]
    # blank states (blank after slot row-1).
    Eh = np.full((T, P, K + 2, C), neg)
    Bh = np.full((T, P, K + 2), neg)
    Bh[0, :, 0] = lb[0]
    startable = (pred == 0).any(2)  # (P, K)
    Eh[0, :, 1 : K + 1] = np.where(startable[..., None] & masks, lp[0][None, None], neg)
    for t in range(1, T):
        E, B = Eh[t - 1], Bh[t - 1]
        b1 = E.max(2)  # (P, K+2)
        eq = E == b1[..., None]
        b2 = np.where(eq, neg, E).max(2)
        V = np.where(eq, b2[..., None], b1[..., None])  # best from row, excluding char c
        vE = V[pidx, pred].max(2)  # (P, K, C)
        vB = B[pidx, pred].max(2)  # (P, K)
        best = np.maximum(np.maximum(E[:, 1 : K + 1], vE), vB[..., None])
        Eh[t, :, 1 : K + 1] = np.where(masks, best + lp[t], neg)
        Bh[t, :, : K + 1] = np.maximum(b1[:, : K + 1], B[:, : K + 1]) + lb[t]
    out = []
    for pi, pat in enumerate(PATTERNS):
        r = _backtrace(Eh[:, pi], Bh[:, pi], pred[pi], final[pi], cp, active)
        if r is not None:
            chars, confs, logp = r
            text = "".join(chars)
            conf = [cf for ch, cf in zip(chars, confs, strict=True) if ch not in "- "]
            out.append(Reading(canonical(text), pat.name, logp, conf))
    return out


def _backtrace(
    Eh: np.ndarray,
    Bh: np.ndarray,
    pred: np.ndarray,
    final: np.ndarray,
    cp: np.ndarray,
    active: np.ndarray,
) -> tuple[list[str], list[float], float] | None:
    T = Eh.shape[0]
    K = pred.shape[0]
    fin = final
    endE = np.where(fin[1:, None], Eh[T - 1, 1 : K + 1], _NEG)
    endB = np.where(fin, Bh[T - 1, : K + 1], _NEG)
    je, ce = np.unravel_index(endE.argmax(), endE.shape)
    kb = int(endB.argmax())
    if max(endE[je, ce], endB[kb]) <= _NEG / 2:
        return None
    if endE[je, ce] >= endB[kb]:
        state, row, c, logp = "E", int(je) + 1, int(ce), float(endE[je, ce])
    else:
        state, row, c, logp = "B", kb, 0, float(endB[kb])
    seq: list[tuple[int, int, int]] = []
    for t in range(T - 1, 0, -1):
        E, B = Eh[t - 1], Bh[t - 1]
        if state == "E":
            seq.append((t, row, c))
            srcs = [k for k in pred[row - 1] if k <= K]
            stay = E[row, c]
            kb_best = max(srcs, key=lambda k: B[k])
            from_b = B[kb_best]
            best_e, best_ke, best_ce = _NEG, -1, -1
            for k in srcs:
                rowv = E[k].copy()
                rowv[c] = _NEG
                cc = int(rowv.argmax())
                if rowv[cc] > best_e:
                    best_e, best_ke, best_ce = rowv[cc], k, cc
            if stay >= from_b and stay >= best_e:
                continue
            if from_b >= best_e:
                state, row = "B", kb_best
            else:
                row, c = best_ke, best_ce
        else:
            if row > 0 and E[row].max() > B[row]:
                state, c = "E", int(E[row].argmax())
    if state == "E":
        seq.append((0, row, c))
    seq.reverse()
    chars: list[str] = []
    confs: list[float] = []
    last = None
    for t, row, c in seq:
        ci = int(active[c])
        if (row, c) != last:
            chars.append(CHARSET[ci])
            confs.append(float(cp[t, 1 + ci]))
        else:
            confs[-1] = max(confs[-1], float(cp[t, 1 + ci]))
        last = (row, c)
    return chars, confs, logp
