"""The studio's colours, in one place: the Okabe–Ito palette, readable for colour-blind users.

Okabe & Ito (2008) chose eight colours that stay distinct under the common forms
of colour blindness. Lanes are drawn over road images, whose paint is white and
yellow, so the lane colours avoid both and always get a dark halo; where two
colours must still be told apart at a glance (TP and FP), the line style differs too.
"""

from __future__ import annotations

OKABE_ITO = {
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
    "grey": "#999999",
}

# CULane slots 1-4 (left to right) and "no slot": none of them white or yellow (lane paint).
SLOT_HEX: dict[int | None, str] = {
    1: "#F57AC8",  # reddish purple, lightened to read on dark asphalt
    2: OKABE_ITO["sky_blue"],
    3: "#19D3A2",  # bluish green, lightened likewise
    4: OKABE_ITO["orange"],
    None: "#FFFFFF",
}

# Series of a plot (loss curves): distinct hues first, the most similar ones last.
SERIES_HEX = (
    OKABE_ITO["orange"],
    OKABE_ITO["sky_blue"],
    OKABE_ITO["bluish_green"],
    OKABE_ITO["yellow"],
    OKABE_ITO["vermillion"],
    OKABE_ITO["reddish_purple"],
    "#4A90E2",  # Okabe-Ito blue, lightened for a dark plot background
    "#F0F0F0",
    OKABE_ITO["grey"],
    "#A6761D",
)
