"""Model-assisted labelling in the studio (issue 12): review, queue, batch job, propagation.

The core (:mod:`lgad_studio.core.autolabel`) computes and stores everything; this
package only shows it and calls it. :class:`ReviewController` is the label panel's
entry point.
"""

from __future__ import annotations

from lgad_studio.gui.review.controller import ReviewController

__all__ = ["ReviewController"]
