#!/usr/bin/env python3
"""Turns the Chinese man pages of Debian's manpages-zh (zh_CN and zh_TW) into a zhibu site of
real, varied Chinese text: every section (.SH) of every man page becomes one Markdown page.

    python3 bench/manpages_corpus.py MAN_ROOT OUT    # MAN_ROOT: the unpacked package (usr/share/man)

Prints the number of pages and bytes written."""
import gzip
import hashlib
import os
import re
import sys

SKIP = re.compile(r"^\[|跋|翻译计划|翻譯計劃|中文版|維護人|维护人|最新更新")
MD_ESCAPE = re.compile(r"([\\`*_\[\]<>#|~!{}])")


def roff_text(line):
    line = re.sub(r"\\f(\[[^\]]*\]|\(..|.)", "", line)
    line = re.sub(r"\\\((..)", lambda m: {"co": "©", "em": "—", "en": "–", "bu": "·", "aq": "'", "dq": '"'}.get(m.group(1), ""), line)
    line = re.sub(r"\\\*(\(..|.)", "", line)
    line = line.replace("\\-", "-").replace("\\&", "").replace("\\ ", " ").replace("\\e", "\\").replace("\\\\", "\\")
    line = re.sub(r"\\[|^0ch]", "", line)
    return line


def macro_args(rest):
    args = re.findall(r'"([^"]*)"|(\S+)', rest)
    return [a or b for a, b in args]


def convert(text):
    """(title, [(heading, [paragraph, ...])]) of one man page."""
    title, sections, cur, para = None, [], None, []

    def flush():
        if cur is not None and para:
            cur[1].append(" ".join(para).strip())
        para.clear()

    for raw in text.splitlines():
        if raw.startswith('.\\"') or raw.startswith("'\\\""):
            continue
        if raw.startswith(".") or raw.startswith("'"):
            parts = raw[1:].split(None, 1)
            if not parts:
                continue
            name, rest = parts[0], parts[1] if len(parts) > 1 else ""
            if name == "TH":
                a = macro_args(rest)
                title = f"{a[0].lower()}({a[1]})" if len(a) > 1 else (a[0] if a else "")
            elif name in ("SH", "SS"):
                flush()
                if name == "SH":
                    cur = [roff_text(rest).strip().strip('"'), []]
                    sections.append(cur)
                else:
                    para.append(roff_text(" ".join(macro_args(rest))))
                    flush()
            elif name in ("B", "I", "BR", "IR", "RB", "RI", "BI", "IB", "SM", "SB"):
                joiner = "" if len(name) == 2 else " "
                para.append(roff_text(joiner.join(macro_args(rest))))
            elif name in ("PP", "P", "LP", "TP", "IP", "HP", "br", "sp", "nf", "fi", "RS", "RE"):
                flush()
                if name == "IP" and rest:
                    para.append(roff_text(" ".join(macro_args(rest))))
            continue
        if cur is not None:
            t = roff_text(raw).strip()
            if t:
                para.append(t)
    flush()
    return title, sections


def main():
    man_root, out = sys.argv[1], sys.argv[2]
    content = os.path.join(out, "content")
    os.makedirs(content, exist_ok=True)
    with open(os.path.join(out, "zhibu.toml"), "w", encoding="utf-8") as f:
        f.write('title = "中文手册页"\n')
        # Man pages legitimately hold "XX", "a*b" and long digit runs; the publishing checks
        # that would stop an editor's build are for editors' articles, not for this benchmark.
        f.write('[check]\nseverity = { placeholder = "off", bank-card = "off", id-number = "off", mobile = "off" }\n')
    with open(os.path.join(content, "_index.md"), "w", encoding="utf-8") as f:
        f.write('+++\ntitle = "首页"\n+++\n')
    pages = total = 0
    for lang in ("zh_CN", "zh_TW"):
        base = os.path.join(man_root, lang)
        for sec in sorted(os.listdir(base)):
            files = sorted(os.listdir(os.path.join(base, sec)))
            sdir = os.path.join(content, f"{lang.lower()}-{sec}")
            os.makedirs(sdir, exist_ok=True)
            with open(os.path.join(sdir, "_index.md"), "w", encoding="utf-8") as f:
                f.write(f'+++\ntitle = "{lang} {sec}"\n+++\n')
            for name in files:
                path = os.path.join(base, sec, name)
                if os.path.islink(path):
                    continue
                with gzip.open(path, "rb") as f:
                    text = f.read().decode("utf-8", "replace")
                title, sections = convert(text)
                stem = re.sub(r"[^A-Za-z0-9_.-]", "-", name[: -len(".gz")])
                for i, (heading, paras) in enumerate(sections):
                    if not paras or SKIP.search(heading):
                        continue
                    h = int(hashlib.md5(f"{lang}{name}{i}".encode()).hexdigest()[:8], 16)
                    date = f"{2015 + h % 11}-{1 + h // 11 % 12:02d}-{1 + h // 132 % 28:02d}"
                    body = "\n\n".join(MD_ESCAPE.sub(r"\\\1", p) for p in paras if p)
                    page_title = f"{title or stem}：{heading}".replace("\\", "\\\\").replace('"', '\\"')
                    md = f'+++\ntitle = "{page_title}"\ndate = {date}\n+++\n{body}\n'
                    with open(os.path.join(sdir, f"{stem}-{i}.md"), "w", encoding="utf-8") as f:
                        f.write(md)
                    pages += 1
                    total += len(md.encode())
    print(f"{pages} pages, {total} bytes")


if __name__ == "__main__":
    main()
