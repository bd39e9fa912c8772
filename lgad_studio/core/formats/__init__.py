"""Readers and writers of the lane formats people use: CULane, TuSimple, LabelMe."""
