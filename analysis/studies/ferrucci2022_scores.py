"""Ferrucci 2022 blocks on the clinical scores: EASI, itch and sleep NRS, DLQI."""

from __future__ import annotations

import pandas as pd

from analysis.derive.categories import reduction_responder, threshold_flag
from analysis.derive.tabulate import frequencies, summaries
from analysis.stats import paired
from analysis.stats.describe import SUMMARY_METHOD
from analysis.studies.ferrucci2022_common import (
    Context, add_frequencies, add_summaries, add_test, note, stats_function,
)

BASELINE = "BASELINE"


def _everyone(wide: pd.DataFrame) -> dict:
    return {"all": pd.Series(True, index=wide.index)}


def _change_test(ctx: Context, analysis: str, paramcd: str, wide: pd.DataFrame, visit: str) -> None:
    kind = ctx.options["change_test"]
    x, y = wide[BASELINE].to_numpy(float), wide[visit].to_numpy(float)
    if kind == "paired_t":
        compute = lambda: paired.paired_t(x, y)  # noqa: E731
    else:
        compute = lambda: paired.wilcoxon_signed_rank(x, y)  # noqa: E731
    add_test(ctx, analysis, compute, params=ctx.params("change_test"), variable=paramcd,
             group="all", visit=f"{visit} vs {BASELINE}")


def _by_visit(ctx: Context, analysis: str, paramcd: str) -> pd.DataFrame | None:
    if not ctx.has_param(paramcd):
        ctx.skip(f"{analysis}:{paramcd}", f"measurements has no {paramcd} rows")
        return None
    wide = ctx.scores(paramcd)
    add_summaries(ctx, analysis, summaries(wide, paramcd), SUMMARY_METHOD)
    return wide


def easi(ctx: Context) -> None:
    wide = _by_visit(ctx, "easi_by_visit", "EASI")
    if wide is None:
        return
    cut = ctx.options["easi_severe_cut"]
    for visit in ctx.visits:
        flag = threshold_flag(wide[visit], ">", cut)
        add_frequencies(ctx, "easi_by_visit",
                        frequencies({f"EASI>{cut:g}": flag}, _everyone(wide), visit=visit),
                        f"patients with EASI > {cut:g} among those with an EASI at the visit")
    ctx.done("easi_by_visit")
    rm_anova = stats_function("anova", "rm_anova")
    if not ctx.options["rm_anova"]:
        ctx.skip("easi_rm_anova", "switched off by option rm_anova")
    elif rm_anova is None:
        ctx.skip("easi_rm_anova", "analysis.stats.anova.rm_anova is not available")
    else:
        complete = wide[ctx.visits].dropna()
        add_test(ctx, "easi_rm_anova", lambda: rm_anova(complete.to_numpy(float)),
                 params={"population": "complete cases over " + ", ".join(ctx.visits)},
                 variable="EASI", group="all")
        ctx.done("easi_rm_anova")
    random_intercept = stats_function("mixed", "random_intercept")
    if not ctx.options["mixed_model"]:
        ctx.skip("easi_mixed", "switched off by option mixed_model")
    elif random_intercept is None:
        ctx.skip("easi_mixed", "analysis.stats.mixed.random_intercept is not available")
    else:
        long = ctx.score_rows("EASI")
        add_test(ctx, "easi_mixed", lambda: random_intercept(long, "USUBJID", "AVISIT", "AVAL",
                                                               levels=list(ctx.visits)),
                 params={"population": "all available EASI values"}, variable="EASI", group="all")
        ctx.done("easi_mixed")
    week4 = "WEEK 4"
    if week4 in wide:
        add_test(ctx, "easi_paired_t",
                 lambda: paired.paired_t(wide[BASELINE].to_numpy(float), wide[week4].to_numpy(float)),
                 variable="EASI", group="all", visit=f"{week4} vs {BASELINE}")
        ctx.done("easi_paired_t")


def nrs(ctx: Context) -> None:
    points = ctx.options["responder_points"]
    made = False
    for paramcd in ("PNRS", "SNRS"):
        wide = _by_visit(ctx, "nrs_by_visit", paramcd)
        if wide is None:
            continue
        made = True
        last = ctx.visits[-1]
        _change_test(ctx, "nrs_change_test", paramcd, wide, last)
        for visit in ctx.visits[1:]:
            flag = reduction_responder(wide[BASELINE], wide[visit], points)
            add_frequencies(ctx, "nrs_responders",
                            frequencies({paramcd: flag}, _everyone(wide), visit=visit),
                            f"reduction of at least {points:g} points from baseline, over patients "
                            "with both values", ctx.params("responder_points"))
    if made:
        for block in ("nrs_by_visit", "nrs_change_test", "nrs_responders"):
            ctx.done(block)
    else:
        for block in ("nrs_by_visit", "nrs_change_test", "nrs_responders"):
            ctx.skip(block, "measurements has no PNRS or SNRS rows")


def dlqi(ctx: Context) -> None:
    wide = _by_visit(ctx, "dlqi_by_visit", "DLQI")
    if wide is None:
        ctx.skip("dlqi_change_test", "measurements has no DLQI rows")
        return
    cut = ctx.options["dlqi_low_cut"]
    for visit in ctx.visits:
        add_frequencies(ctx, "dlqi_by_visit",
                        frequencies({f"DLQI<{cut:g}": threshold_flag(wide[visit], "<", cut)},
                                    _everyone(wide), visit=visit),
                        f"patients with DLQI < {cut:g} among those with a DLQI at the visit")
    _change_test(ctx, "dlqi_change_test", "DLQI", wide, ctx.visits[-1])
    ctx.done("dlqi_by_visit")
    ctx.done("dlqi_change_test")


__all__ = ["easi", "nrs", "dlqi", "note"]
