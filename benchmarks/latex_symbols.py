"""LaTeX commands and the Unicode symbols an OCR reads for them, shared by the benchmarks' text reductions."""

SYMBOLS = {
    r"\cap": "∩", r"\cup": "∪", r"\notin": "∉", r"\in": "∈", r"\subseteq": "⊆", r"\subset": "⊂",
    r"\alpha": "α", r"\beta": "β", r"\gamma": "γ", r"\theta": "θ", r"\lambda": "λ", r"\mu": "μ",
    r"\sigma": "σ", r"\omega": "ω", r"\Omega": "Ω", r"\varphi": "φ", r"\phi": "φ", r"\pi": "π",
    r"\leqslant": "≤", r"\geqslant": "≥", r"\leq": "≤", r"\geq": "≥", r"\le": "≤", r"\ge": "≥",
    r"\neq": "≠", r"\ne": "≠", r"\infty": "∞", r"\cdot": "·", r"\times": "×", r"\perp": "⊥",
    r"\parallel": "∥", r"\angle": "∠", r"\circ": "°", r"\approx": "≈", r"\pm": "±", r"\triangle": "△",
    r"\Rightarrow": "⇒", r"\rightarrow": "→", r"\to": "→", r"\mid": "|",
}  # fmt: skip
