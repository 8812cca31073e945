// A small subset of matplotlib's mathtext for titles and labels: text between `$…$` loses the
// dollars, `\sigma`-style commands become their Unicode characters, `^x` / `^{…}` and `_x` / `_{…}`
// become Unicode super/subscripts where every character has one (else `^(…)` stays readable).
// Token strings never go through this: only titles, axis labels, legend entries and annotations.

enum MathText {
    static func render(_ s: String) -> String {
        guard s.filter({ $0 == "$" }).count >= 2 else { return s }
        var out = ""
        var inMath = false
        var chars = Array(s)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c == "\\" && i + 1 < chars.count && chars[i + 1] == "$" { out.append("$"); i += 2; continue }
            if c == "$" { inMath.toggle(); i += 1; continue }
            if !inMath { out.append(c); i += 1; continue }
            switch c {
            case "\\":
                var j = i + 1
                var name = ""
                while j < chars.count, chars[j].isLetter { name.append(chars[j]); j += 1 }
                if name.isEmpty, j < chars.count {
                    // \; \, \: \! and escaped characters
                    let sym = chars[j]
                    out += [";": " ", ",": "\u{2009}", ":": " ", "!": "", " ": " "][String(sym)] ?? String(sym)
                    i = j + 1
                } else {
                    out += commands[name] ?? name
                    i = j
                }
            case "^", "_":
                let (group, next) = takeGroup(chars, i + 1)
                let table = c == "^" ? superscripts : subscripts
                let rendered = render(math: group)
                if rendered.allSatisfy({ table[$0] != nil }) { out += String(rendered.map { table[$0]! }) }
                else { out += (c == "^" ? "^(" : "_(") + rendered + ")" }
                i = next
            case "{", "}", " ": i += 1  // mathtext ignores spaces; \; and \, make them
            default: out.append(c); i += 1
            }
        }
        chars.removeAll()
        return out
    }

    private static func render(math group: String) -> String {
        render("$" + group + "$")
    }

    private static func takeGroup(_ chars: [Character], _ start: Int) -> (String, Int) {
        guard start < chars.count else { return ("", start) }
        if chars[start] == "{" {
            var depth = 1, j = start + 1
            var s = ""
            while j < chars.count {
                if chars[j] == "{" { depth += 1 } else if chars[j] == "}" { depth -= 1; if depth == 0 { break } }
                s.append(chars[j]); j += 1
            }
            return (s, j + 1)
        }
        if chars[start] == "\\" {
            var j = start + 1, s = "\\"
            while j < chars.count, chars[j].isLetter { s.append(chars[j]); j += 1 }
            return (s, j)
        }
        return (String(chars[start]), start + 1)
    }

    static let commands: [String: String] = [
        "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "zeta": "ζ", "eta": "η", "theta": "θ",
        "iota": "ι", "kappa": "κ", "lambda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ", "pi": "π", "rho": "ρ", "sigma": "σ",
        "tau": "τ", "upsilon": "υ", "phi": "φ", "chi": "χ", "psi": "ψ", "omega": "ω", "Gamma": "Γ", "Delta": "Δ",
        "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ", "Pi": "Π", "Sigma": "Σ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω",
        "sqrt": "√", "cdot": "·", "times": "×", "div": "÷", "pm": "±", "leq": "≤", "geq": "≥", "neq": "≠", "approx": "≈",
        "infty": "∞", "sum": "Σ", "prod": "Π", "partial": "∂", "nabla": "∇", "odot": "⊙", "otimes": "⊗", "oplus": "⊕",
        "rightarrow": "→", "leftarrow": "←", "to": "→", "in": "∈", "ell": "ℓ", "quad": "  ", "mathrm": "", "mathbf": "",
        "mathit": "", "text": "", "log": "log", "exp": "exp", "max": "max", "min": "min", "langle": "⟨", "rangle": "⟩",
    ]

    static let superscripts: [Character: Character] = {
        let pairs: [(String, String)] = [("0123456789+-=()", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾"),
                                         ("abcdefghijklmnoprstuvwxyz", "ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻ"),
                                         ("ABDEGHIJKLMNOPRTUVW", "ᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁⱽᵂ"), ("\u{2212}", "⁻")]
        var d: [Character: Character] = [:]
        for (a, b) in pairs { for (x, y) in zip(a, b) { d[x] = y } }
        return d
    }()

    static let subscripts: [Character: Character] = {
        let pairs: [(String, String)] = [("0123456789+-=()", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎"), ("aehijklmnoprstuvx", "ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ")]
        var d: [Character: Character] = [:]
        for (a, b) in pairs { for (x, y) in zip(a, b) { d[x] = y } }
        return d
    }()
}
