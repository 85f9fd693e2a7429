"""Build learning/auth/common_passwords.txt, the deny-list of common passwords.

Source: the "passwords" frequency list that zxcvbn ships (30,000 passwords from leaked
password sets, most common first; MIT licence, https://github.com/dwolfhub/zxcvbn-python).
zxcvbn is a tooling dependency only (requirements-dev.txt); the app reads the text file.

    .venv/bin/python tools/build_common_passwords.py            # all 30,000
    .venv/bin/python tools/build_common_passwords.py --top 20000

Most entries are shorter than the 12-character minimum and are refused for length
anyway; they are kept so the file is recognisably "the N most common", and so the list
still works if the minimum is ever lowered.
"""
from __future__ import annotations

import argparse
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "learning" / "common_passwords.txt"


def common_passwords(top: int | None) -> list[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    seen: dict[str, None] = {}
    for word in FREQUENCY_LISTS["passwords"]:
        word = word.strip().lower()
        if word:
            seen.setdefault(word)
    words = list(seen)
    return words[:top] if top else words


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--top", type=int, default=None, help="keep only the N most common (default: all)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    words = common_passwords(args.top)
    if len(words) < 10_000:
        raise SystemExit(f"Only {len(words)} passwords: the policy needs at least 10,000.")
    args.out.write_text("\n".join(words) + "\n", encoding="utf-8")
    print(f"Wrote {len(words)} passwords to {args.out}")


if __name__ == "__main__":
    main()
