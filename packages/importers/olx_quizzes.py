"""The quizzes of an imported Open edX course: weighed by the grading policy, titled, checked.

One graded quiz per graded subsection, its weight its assignment type's weight in
`grading_policy.json` shared among that type's imported subsections; one practice
quiz per ungraded unit. Every title says where the quiz comes from, and no two
quizzes share one. Each question's place in the pack is recorded in the report
(`placed`), under its source id (the problem's url_name, `-2`... for more fields).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from packages.errors import MoocError
from packages.i18n import _
from packages.importers.olx_components import _Module, _Quiz
from packages.importers.olx_course_info import OlxCourseInfo
from packages.importers.olx_problems import strictest
from packages.importers.pack_writer import IdAllocator
from packages.importers.quiz_check import check_quizzes


class OlxQuizzes(OlxCourseInfo):
    """Turns the modules' quizzes into checked quiz tables; `OlxImporter` writes them."""

    def quiz_tables(self, modules: list[_Module]) -> dict[str, dict[str, Any]]:
        """Quiz path -> its table, for every quiz with a question pack check accepts."""
        _unique_titles(modules)
        sources: dict[int, str] = {}  # id(question table) -> its source id, before ids are made unique
        tables = {}
        wheres = {}
        for module in modules:
            for item in module.items:
                quiz = module.quizzes.get(item["id"])
                if quiz is None or not quiz.questions:
                    continue
                item["title"] = quiz.title
                sources.update({id(q): str(q["id"]) for q in quiz.questions})
                tables[item["file"]] = self.quiz_table(quiz)
                wheres[item["file"]] = quiz.where
        tables = check_quizzes(tables, self.report, lambda path, _q: wheres.get(path, path))  # as pack check would
        for path, table in tables.items():
            for q in table["questions"]:
                self.report.placed.setdefault(sources[id(q)], f"{path}#{q['id']}")
        return tables

    def weights(self, grading: dict[str, Any], modules: list[_Module]) -> tuple[dict[str, float], float]:
        types: dict[str, float] = {}
        for grader in grading.get("GRADER", []) or []:
            if isinstance(grader, dict) and grader.get("type"):
                try:
                    types[str(grader["type"])] = float(grader.get("weight", 0))
                except (TypeError, ValueError):
                    raise MoocError(
                        _("{shown}: grading_policy.json: bad weight for {grader!r}").format(
                            shown=self.shown, grader=grader["type"]
                        )
                    ) from None
        cutoffs = grading.get("GRADE_CUTOFFS") or {}
        values = [float(v) for v in cutoffs.values() if isinstance(v, (int, float))]
        pass_threshold = round(min(values), 6) if values else 0.5
        by_type: dict[str, list[str]] = {}
        weights: dict[str, float] = {}
        for module in modules:
            for item_id, quiz in module.quizzes.items():
                if quiz.graded_type is None or not quiz.questions:
                    continue
                if quiz.graded_type not in types:
                    self.report.changed(
                        "sequential",
                        quiz.where,
                        f"graded as {quiz.graded_type!r}, which the "
                        "grading policy does not define; imported as a practice quiz",
                    )
                    continue
                by_type.setdefault(quiz.graded_type, []).append(item_id)
        for kind, ids in by_type.items():
            for item_id in ids:
                weights[item_id] = types[kind] / len(ids)
        missing_types = [t for t, w in types.items() if w > 0 and t not in by_type]
        for t in missing_types:
            self.report.changed(
                "grading_policy",
                t,
                "assignment type has no imported graded subsection; its weight is left out of the course score",
            )
        return weights, pass_threshold

    def quiz_table(self, quiz: _Quiz) -> dict[str, Any]:
        table: dict[str, Any] = {"title": quiz.title}
        attempts = sorted(set(quiz.attempts))
        if attempts:
            table["max_attempts"] = attempts[0]
            if len(attempts) > 1:
                self.report.changed(
                    "problem", quiz.where, f"problems allow {attempts} attempts; the quiz allows {attempts[0]}"
                )
        if quiz.shuffle:
            table["shuffle_choices"] = True
        shows = sorted(set(quiz.show))
        table["show_solutions"] = strictest(quiz.show)
        if len(shows) > 1:
            self.report.changed(
                "problem",
                quiz.where,
                f"problems show answers differently ({', '.join(shows)}); "
                f"the quiz uses the strictest, {table['show_solutions']!r}",
            )
        ids = IdAllocator()
        for q in quiz.questions:  # ids unique within the quiz (library copies may repeat url_names)
            q["id"] = ids.unique(q["id"])
        table["questions"] = quiz.questions
        return table


def _unique_titles(modules: list[_Module]) -> None:
    """Quizzes with the same title (two units called "Unit") also name their section."""
    quizzes = [quiz for module in modules for quiz in module.quizzes.values() if quiz.questions]
    counts = Counter(q.title for q in quizzes)
    for module in modules:
        for quiz in module.quizzes.values():
            if counts[quiz.title] > 1:
                quiz.title = f"{module.title} › {quiz.title}"
    seen: Counter[str] = Counter()
    for quiz in quizzes:  # still the same (same section too): numbered in course order
        seen[quiz.title] += 1
        if seen[quiz.title] > 1:
            quiz.title = f"{quiz.title} ({seen[quiz.title]})"
