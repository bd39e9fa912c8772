"""What the review says: proposals shown, accepted, skipped; and the proposal's context menu.

Texts only (and one menu); the merge itself is :meth:`LabelDocument.accept_proposals`,
one undo step over core's pure :func:`~lgad_studio.core.autolabel.review.accept`.
"""

from __future__ import annotations

from PySide6.QtWidgets import QMenu, QWidget

from lgad_studio.core.autolabel.proposals import LaneProposal
from lgad_studio.gui.editor.document import AcceptOutcome


def plural(count: int, word: str) -> str:
    """``plural(1, "lane")`` -> ``"1 lane"``, ``plural(3, "lane")`` -> ``"3 lanes"``."""
    return f"{count} {word}{'' if count == 1 else 's'}"


def shown_text(*, shown: int, total: int, labelled: int, min_existence: float) -> str:
    """The message after a model proposed lanes for the image on screen."""
    unchanged = f"this image's {plural(labelled, 'labelled lane')} {'is' if labelled == 1 else 'are'} unchanged"
    if total == 0:
        return f"The model found no lanes in this image; {unchanged}."
    if shown == 0:
        return (
            f"The model's {plural(total, 'proposed lane')} are all below confidence "
            f"{min_existence:.2f} (lower the slider to see them); {unchanged}."
        )
    return (
        f"{plural(shown, 'proposed lane')} (dashed): Enter accepts them, keeping the lanes the "
        "image has (Shift+Enter replaces the ones they match); click one, then Enter, to accept "
        "it alone; Esc discards them."
    )


def outcome_text(outcome: AcceptOutcome, *, left: int, min_existence: float) -> str:
    """What an accept did, including "nothing", and that Ctrl+Z undoes it; ``left``: still shown."""
    if outcome.chosen == 0:
        return (
            f"No proposed lanes to accept (none shown at confidence ≥ {min_existence:.2f}); "
            "this image's lanes are unchanged."
        )
    if not outcome.changed:
        verb = "matches a lane" if outcome.chosen == 1 else "match lanes"
        return (
            f"Nothing accepted: the {plural(outcome.chosen, 'proposed lane')} {verb} this image "
            "already has; Shift+Enter replaces them. The lanes are unchanged."
        )
    text = f"Accepted {plural(outcome.added + outcome.replaced, 'proposed lane')}"
    if outcome.replaced:
        text += f", replacing {plural(outcome.replaced, 'matching lane')}"
    if outcome.skipped:
        text += (
            f"; {outcome.skipped} skipped, matching lanes the image has (Shift+Enter replaces them)"
        )
    tail = f" {left} still shown." if left > 0 else ""
    return f"{text}. Ctrl+Z undoes it.{tail}"


def selected_text(index: int, proposal: LaneProposal, *, matches: int | None) -> str:
    """The status when one proposed lane is selected; ``matches``: the lane it would replace."""
    slot = proposal.slot if proposal.slot is not None else "none"
    scores = f"existence {proposal.existence:.2f}"
    if proposal.mean_prob is not None:
        scores += f", mean probability {proposal.mean_prob:.2f}"
    source = "Propagated" if proposal.source == "propagated" else "Proposed"
    match = (
        f"; it matches lane {matches + 1}: Shift+Enter replaces that lane"
        if matches is not None
        else ""
    )
    return f"{source} lane {index + 1} (slot {slot}, {scores}): Enter accepts it{match}; Esc deselects."


def proposal_menu(
    parent: QWidget, *, matches: int | None, shown: int, on_accept, on_replace, on_all, on_discard
) -> QMenu:
    """The context menu of one proposed lane."""
    menu = QMenu(parent)
    menu.addAction("Accept this lane\tEnter", on_accept)
    if matches is not None:
        menu.addAction(f"Accept, replacing lane {matches + 1}\tShift+Enter", on_replace)
    menu.addSeparator()
    menu.addAction(f"Accept all {shown} shown", on_all)
    menu.addAction("Discard this image's proposals\tEsc", on_discard)
    return menu
