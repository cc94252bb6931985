#!/usr/bin/env python3
"""A generated doc set for TechDocs' benchmark: N pages in nested sections, each with an
admonition, a tab set, a table and four highlighted code blocks, linked to the next page.
Writes OUT/mkdocs.yml (techdocs-core, as Backstage users configure it), OUT/docs/ and
OUT/catalog-info.yaml (a component whose techdocs-ref is this folder).

Usage: gen-docs.py --pages 500 --out DIR
"""
import argparse
import os

PAGE = """# {title}

Page {n} of the generated handbook. It explains the **{topic}** part of the service and
links to [the next page]({next_link}).

!!! note "About {topic}"
    Every request to the {topic} endpoint is idempotent. Retries are safe.

## Configuration

| Key | Default | Meaning |
|-----|---------|---------|
| `{topic}.timeout_ms` | `{n}00` | How long a call may take |
| `{topic}.retries` | `3` | Retries of an idempotent call |
| `{topic}.enabled` | `true` | Whether the {topic} part runs |

=== "Rust"

    ```rust
    pub fn {topic}_handler(request: Request) -> Result<Response, Error> {{
        let body = request.json::<Payload>()?;
        Ok(Response::ok(body.id))
    }}
    ```

=== "Python"

    ```python
    def {topic}_handler(request):
        body = request.json()
        return Response.ok(body["id"])
    ```

## Deployment

```yaml title="deploy/{topic}.yaml"
service: {topic}
replicas: 3
resources:
  cpu: 500m
  memory: 256Mi
```

```bash
kubectl apply -f deploy/{topic}.yaml
kubectl rollout status deployment/{topic}
```

??? tip "Troubleshooting {topic}"
    Look at the logs first: `kubectl logs deployment/{topic}`.
"""

TOPICS = ["billing", "ledger", "search", "shipping", "catalog", "invoices", "refunds", "accounts"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=500)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    docs = os.path.join(args.out, "docs")
    sections = {}
    for n in range(args.pages):
        section = f"section-{n // 25:02d}"
        name = "index.md" if n == 0 else f"{section}/page-{n:04d}.md"
        sections.setdefault("" if n == 0 else section, []).append((n, name))
    for section, pages in sections.items():
        for i, (n, name) in enumerate(pages):
            path = os.path.join(docs, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            nxt = f"page-{n + 1:04d}.md" if n + 1 < args.pages and (n + 1) // 25 == n // 25 else "../index.md"
            if n == 0:
                nxt = "section-00/page-0001.md"
            topic = TOPICS[n % len(TOPICS)]
            with open(path, "w") as f:
                f.write(PAGE.format(title=f"{topic.title()} {n}", n=n, topic=topic, next_link=nxt))
    nav = ["nav:", "  - Home: index.md"]
    for section, pages in sorted(sections.items()):
        if not section:
            continue
        nav.append(f"  - {section.replace('-', ' ').title()}:")
        for n, name in pages:
            nav.append(f"      - {TOPICS[n % len(TOPICS)].title()} {n}: {name}")
    with open(os.path.join(args.out, "mkdocs.yml"), "w") as f:
        f.write("site_name: Generated handbook\nplugins:\n  - techdocs-core\n" + "\n".join(nav) + "\n")
    with open(os.path.join(args.out, "catalog-info.yaml"), "w") as f:
        f.write(
            "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: handbook\n"
            "  annotations:\n    backstage.io/techdocs-ref: dir:.\nspec:\n  type: service\n"
            "  lifecycle: production\n  owner: team-a\n"
        )


if __name__ == "__main__":
    main()
