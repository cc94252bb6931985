#!/usr/bin/env python3
"""Compares Portico's TechDocs build of a doc set with mkdocs + Material's, page by page.

    mkdocs_compare.py DOCSET PORTICO_OUT

DOCSET is a folder with mkdocs.yml; PORTICO_OUT is what `portico docs DOCSET --out
PORTICO_OUT` wrote. Run with a Python that has mkdocs and mkdocs-material (bash
.ci/compare-mkdocs sets one up). mkdocs renders each page through its own API (the
content Material shows in `<article class="md-typeset">`), and the two are compared:

- the same pages, at the same URLs, with the same titles;
- the same nav (titles, pages and links, nested the same way);
- in each page: the same headings (level, id and text), the same tab ids, and as many
  admonitions (boxed or collapsible), tab sets and tabs, highlighted code blocks, tables,
  images (or, for an image that does not exist, a problem), mermaid diagrams, footnotes,
  task lists and definition lists, under Material's class names;
- every link or image mkdocs warns about as broken is a problem Portico reports, on the
  same page; and every problem Portico reports is true (the file is missing, mkdocs' page
  has no such anchor), or a refusal mkdocs does not make (`javascript:` links).

Emoji are the one deliberate difference: Unicode characters in Portico, Twemoji images
from a CDN in Material; they are not counted as images nor as heading text.

Prints each difference and exits 1 when there is one.
"""

import html
import itertools
import json
import logging
import os
import re
import sys
from html.parser import HTMLParser
from pathlib import Path


class Shape(HTMLParser):
    """What the comparison looks at in a page's content HTML."""

    VOID = {"img", "br", "hr", "input", "meta", "link", "source", "col", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.headings = []
        self.tab_ids = []
        self.counts = {}
        self.stack = []  # (tag, skipping text)
        self.heading = None

    def count(self, what):
        self.counts[what] = self.counts.get(what, 0) + 1

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = set((attrs.get("class") or "").split())
        skip = bool(classes & {"headerlink", "md-content__button", "twemoji"})
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6") and self.heading is None:
            self.heading = [int(tag[1]), attrs.get("id") or "", ""]
        if tag == "div" and "admonition" in classes:
            self.count("admonition")
        if tag == "details":
            self.count("collapsible admonition")
        if "tabbed-set" in classes:
            self.count("tab set")
        if tag == "input" and attrs.get("name", "").startswith("__tabbed"):
            self.tab_ids.append(attrs.get("id"))
        if tag == "div" and "tabbed-block" in classes:
            self.count("tab")
        if tag == "div" and "highlight" in classes:
            self.count("highlighted code block")
        if tag == "table" and "highlighttable" not in classes:
            self.count("table")
        # Emoji are Unicode characters in Portico, Twemoji images from a CDN in Material.
        if tag == "img" and not classes & {"twemoji", "emojione", "gemoji"}:
            self.count("image")
        if "mermaid" in classes:
            self.count("mermaid diagram")
        if tag == "div" and "footnote" in classes:
            self.count("footnotes")
        if tag == "ul" and "task-list" in classes:
            self.count("task list")
        if tag == "dl":
            self.count("definition list")
        if tag not in self.VOID:
            self.stack.append((tag, skip or (bool(self.stack) and self.stack[-1][1])))

    def handle_endtag(self, tag):
        while self.stack:
            open_tag, _ = self.stack.pop()
            if open_tag == tag:
                break
        if self.heading is not None and tag == "h%d" % self.heading[0]:
            self.heading[2] = " ".join(self.heading[2].split())
            self.headings.append(tuple(self.heading))
            self.heading = None

    def handle_data(self, data):
        if self.heading is not None and not (self.stack and self.stack[-1][1]):
            self.heading[2] += data


def shape(html):
    parser = Shape()
    parser.feed(html)
    parser.close()
    return parser


class Warnings(logging.Handler):
    def __init__(self):
        super().__init__(logging.INFO)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def mkdocs_build(folder):
    """Each page's (title, content HTML), the nav and the warnings, as mkdocs makes them."""
    from mkdocs.config import load_config
    from mkdocs.structure.files import get_files
    from mkdocs.structure.nav import get_navigation

    warnings = Warnings()
    logging.getLogger("mkdocs").addHandler(warnings)
    logging.getLogger("mkdocs").setLevel(logging.INFO)
    config = load_config(str(folder / "mkdocs.yml"))
    config.plugins.on_startup(command="build", dirty=False)
    config = config.plugins.on_config(config)
    files = get_files(config)
    nav = get_navigation(files, config)
    pages = {}
    for file in files.documentation_pages():
        page = file.page
        warnings.messages.append("@page " + file.src_uri)
        page.read_source(config)
        page.render(config, files)
        pages[page.url] = (page.title, page.content, file.src_uri)
    for file in files.documentation_pages():
        warnings.messages.append("@page " + file.src_uri)
        file.page.validate_anchor_links(files=files, log_level=logging.INFO)
    return pages, nav_of(nav.items), warnings.messages


def nav_of(items):
    out = []
    for item in items:
        if item.is_section:
            out.append({"title": item.title, "children": nav_of(item.children)})
        elif item.is_page:
            out.append({"title": item.title, "page": item.url})
        else:
            out.append({"title": item.title, "link": item.url})
    return out


def portico_nav(items):
    out = []
    for item in items:
        target = item.get("target")
        if target is None:
            out.append({"title": item["title"], "children": portico_nav(item["children"])})
        elif "Page" in target:
            out.append({"title": item["title"], "page": target["Page"]})
        else:
            out.append({"title": item["title"], "link": target["Link"]})
    return out


BROKEN = ("not found among documentation files", "no such anchor", "does not contain an anchor")


def references(messages, kinds, pages):
    """{page source: [what mkdocs said]} for links and images whose message has one of
    `kinds`; not an anchor mkdocs misses though its page has it (pymdownx.tabbed's ids)."""
    contents = {source: content for (_, content, source) in pages.values()}
    found = {}
    page = None
    for message in messages:
        if message.startswith("@page "):
            page = message[len("@page "):]
        elif any(kind in message for kind in kinds):
            link = re.search(r"contains a link '([^']*)'", message)
            doc = re.search(r"the doc '([^']*)'", message)
            fragment = link and link.group(1).partition("#")[2]
            target = doc.group(1) if doc else page
            if fragment and f'id="{fragment}"' in contents.get(target, ""):
                continue
            found.setdefault(page, set()).add(message)
    return found


def is_true_problem(docs, source, message, contents):
    """Whether a problem Portico reports on `source` is so, by the files and mkdocs' pages."""
    if "scheme is not allowed" in message:
        return True
    anchor = re.match(r"links to '#([^']*)' in (this page|'([^']*)'), which has no such", message)
    if anchor:
        page = anchor.group(3) or source
        return f'id="{anchor.group(1)}"' not in contents.get(page, "")
    missing = re.match(r"(links to|shows the image) '([^'#]*)[^']*', which (is not a page|does not exist)", message)
    if missing:
        return not (docs / source).parent.joinpath(missing.group(2)).exists()
    return False


def main():
    folder, out = Path(sys.argv[1]), Path(sys.argv[2])
    mk_pages, mk_nav, messages = mkdocs_build(folder)
    site = json.loads((out / "site.json").read_text())
    differences = []

    def differ(where, what):
        differences.append(f"{where}: {what}")

    ours = {
        str(path.parent.relative_to(out)).replace(".", "") + "/": path
        for path in out.rglob("index.html")
    }
    ours = {("" if url == "/" else url): path for url, path in ours.items()}
    for url in sorted(set(mk_pages) - set(ours)):
        differ(url or "/", "mkdocs has this page, Portico has not")
    for url in sorted(set(ours) - set(mk_pages)):
        differ(url or "/", "Portico has this page, mkdocs has not")

    if portico_nav(site["nav"]) != mk_nav:
        differ("nav", "differs:\n  mkdocs:  %s\n  Portico: %s" % (
            json.dumps(mk_nav), json.dumps(portico_nav(site["nav"]))))

    docs_dir = site_docs_dir(folder)
    for url in sorted(set(mk_pages) & set(ours)):
        title, content, source = mk_pages[url]
        mine = ours[url].read_text()
        my_title = mine.split("<title>", 1)[1].split("</title>", 1)[0]
        mine = mine.split('<article class="md-content__inner md-typeset">', 1)[1]
        theirs, our = shape(content), shape(mine)
        where = url or "/"
        my_title = html.unescape(my_title)
        if title != my_title:
            differ(where, f"title {title!r} in mkdocs, {my_title!r} in Portico")
        if theirs.headings != our.headings:
            for a, b in itertools.zip_longest(theirs.headings, our.headings):
                if a != b:
                    differ(where, f"heading {a} in mkdocs, {b} in Portico")
        if theirs.tab_ids != our.tab_ids:
            differ(where, f"tabs' ids {theirs.tab_ids} in mkdocs, {our.tab_ids} in Portico")
        # An image that does not exist is a problem, and its alt text shows instead.
        missing = sum(
            "which does not exist" in p["message"]
            for p in site["problems"]
            if p["file"] == f"{docs_dir}/{source}"
        )
        for what in sorted(set(theirs.counts) | set(our.counts)):
            a, b = theirs.counts.get(what, 0), our.counts.get(what, 0)
            b += missing if what == "image" else 0
            if a != b:
                differ(where, f"{a} {what} in mkdocs, {b} in Portico")

    problems = {}
    for problem in site["problems"]:
        problems.setdefault(problem["file"], set()).add(problem["message"])
    for source, warned in sorted(references(messages, BROKEN, mk_pages).items()):
        reported = problems.get(f"{docs_dir}/{source}", set())
        if len(reported) < len(warned):
            differ(source, "mkdocs warns of %d broken links or images, Portico reports %d:\n  %s\n  Portico: %s" % (
                len(warned), len(reported), "\n  ".join(warned), reported))

    # And no false problems: each one Portico reports is checked against the files and
    # against mkdocs' own pages (refusals mkdocs does not make, `javascript:`, aside).
    by_source = {source: content for (_, content, source) in mk_pages.values()}
    for file, reported in sorted(problems.items()):
        source = file.removeprefix(f"{docs_dir}/")
        for message in sorted(reported):
            if not is_true_problem(folder / docs_dir, source, message, by_source):
                differ(source, f"Portico reports a problem mkdocs does not see: {message}")

    for difference in differences:
        print(difference)
    pages = len(mk_pages)
    print(f"{folder.name}: {pages} pages compared, {len(differences)} differences", file=sys.stderr)
    sys.exit(1 if differences else 0)


def site_docs_dir(folder):
    """`docs_dir`, relative to the doc set's folder (as written: symbolic links kept)."""
    from mkdocs.config import load_config

    config = load_config(str(folder / "mkdocs.yml"))
    where = os.path.dirname(os.path.abspath(config.config_file_path))
    return Path(os.path.relpath(config["docs_dir"], where)).as_posix()


if __name__ == "__main__":
    main()
