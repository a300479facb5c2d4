"""``--statistics``: the count of findings per rule, most frequent first (like ruff's)."""

from __future__ import annotations

from collections import Counter

from podlint.formatters import Formatter, Summary, left_out_line, printable
from podlint.formatters.text import summary_line
from podlint.lint import SourceResult


class StatisticsFormatter(Formatter):
    """One line per rule: count, rule id, ``[*]`` when ``--fix`` can fix it (a fix its card
    calls safe), summary."""

    show_summary = True

    def start(self) -> None:
        self.counts: Counter[str] = Counter()

    def handle(self, result: SourceResult) -> None:
        self.counts.update(finding.rule for finding in result.findings)

    def stop(self, summary: Summary) -> None:
        from podlint.fixes import FIXERS, is_safe

        rows = sorted(self.counts.items(), key=lambda item: (-item[1], item[0]))
        count_width = max((len(str(count)) for _, count in rows), default=1)
        id_width = max((len(rule_id) for rule_id, _ in rows), default=1)
        rules = self.registry.rules if self.registry is not None else {}
        for rule_id, count in rows:
            mark = "[*]" if rule_id in FIXERS and is_safe(rule_id, rules) else "   "
            rule = rules.get(rule_id)
            text = rule.summary if rule is not None else ""
            shown = printable(rule_id)
            self.stream.write(f"{count:>{count_width}}  {shown:<{id_width}}  {mark} {text}\n")
        if self.show_summary:
            self.stream.write(summary_line(summary, statistics=True) + "\n")
            left_out = left_out_line(summary)
            if left_out:
                self.stream.write(left_out + "\n")
