"""The adversarial soundness suite of issue 10: cases with an independent ground truth."""
