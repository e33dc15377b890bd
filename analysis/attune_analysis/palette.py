"""The fixed attachment-class palette used by every figure and table (Okabe–Ito colours)."""

CLASS_ORDER = ("B", "A", "C", "D")
CLASS_NAMES = {"B": "secure", "A": "avoidant", "C": "resistant", "D": "disorganized"}
CLASS_COLORS = {"B": "#009E73", "A": "#0072B2", "C": "#E69F00", "D": "#D55E00"}


def class_label(cls: str, with_name: bool = True) -> str:
    """'B secure' (or just 'B'); an unknown class is shown as given."""
    name = CLASS_NAMES.get(cls)
    return f"{cls} {name}" if (with_name and name) else str(cls)
