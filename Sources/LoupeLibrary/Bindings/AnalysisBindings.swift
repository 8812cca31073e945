import LoupeNotebook
import LoupeInterpreter
import Foundation
import LoupeAnalysis
import LoupeTensor

/// Analysis builtins over plain values: embeddings (t-SNE, PCA, trustworthiness), prompt datasets,
/// random token inputs, histograms with shared edges, attention windows.
enum AnalysisBindings {
    static let defaultCorpus = "/usr/share/games/fortunes"

    static func install() {
        Builtins.register(
            name: "tsne",
            doc: """
            t-SNE of the rows of `points` ([n, d]) into 2-D, with scikit-learn's schedule (early exaggeration \
            12, learning rate "auto", PCA initialisation); exact for n ≤ 1500, Barnes–Hut above. Returns [n, 2].
            """,
            signature: "tsne(points, perplexity=30, seed=0, iterations=1000)",
            example: "xy = tsne(model.W_E[token_ids], perplexity=30)\nscatter(xy[:, 0], xy[:, 1])"
        ) { _, args in
            let a = try args.bind("tsne", ["points", "perplexity", "seed", "iterations"], required: 1)
            let (x, n, d) = try matrix(a[0]!, "points")
            var t = TSNE(perplexity: try a[1]?.asDouble("perplexity") ?? 30, iterations: try a[3]?.asInt("iterations") ?? 1000,
                         seed: UInt64(max(0, try a[2]?.asInt("seed") ?? 0)))
            guard t.perplexity > 0, t.iterations > 0 else { throw LoupeError("tsne: perplexity and iterations must be positive") }
            return .tensor(Tensor(shape: [n, 2], data: t.embed(x, n: n, d: d)))
        }

        Builtins.register(
            name: "pca",
            doc: "Projects the rows of `points` ([n, d]) onto their first k principal axes (centred; signs as scikit-learn's). Returns [n, k].",
            signature: "pca(points, k=2)",
            example: "xy = pca(resid[:, -1, :], k=2)"
        ) { _, args in
            let a = try args.bind("pca", ["points", "k"], required: 1)
            let (x, n, d) = try matrix(a[0]!, "points")
            let k = try a[1]?.asInt("k") ?? 2
            guard k >= 1 && k <= d else { throw LoupeError("pca: k=\(k) must be between 1 and the point dimension \(d)") }
            return .tensor(Tensor(shape: [n, k], data: PCA.project(x, n: n, d: d, components: k).coords))
        }

        Builtins.register(
            name: "trustworthiness",
            doc: "How well an embedding `low` ([n, 2]) keeps the k nearest neighbours of `high` ([n, d]): 1 is perfect (scikit-learn's trustworthiness).",
            signature: "trustworthiness(high, low, k=5)",
            example: "print(trustworthiness(points, tsne(points), k=5))"
        ) { _, args in
            let a = try args.bind("trustworthiness", ["high", "low", "k"], required: 2)
            let (h, n, d) = try matrix(a[0]!, "high")
            let (l, m, e) = try matrix(a[1]!, "low")
            guard n == m else { throw LoupeError("trustworthiness: high has \(n) points but low has \(m)") }
            let k = try a[2]?.asInt("k") ?? 5
            guard k >= 1 && k < n / 2 else { throw LoupeError("trustworthiness: k=\(k) must be at least 1 and below n/2 = \(n / 2)") }
            return .float(trustworthiness(high: h, d: d, low: l, lowD: e, n: n, neighbours: k))
        }

        Builtins.register(
            name: "read_prompts",
            doc: """
            Prompts from a text dataset: .txt (one per line), fortune files (entries between `%` lines) or a \
            folder of them, .csv (field = the column), .jsonl (field = the key). Without a path, the Debian \
            fortunes corpus (\(defaultCorpus)). k draws that many at random (reproducibly from seed).
            """,
            signature: "read_prompts(path=None, field=None, k=None, seed=0)",
            example: "prompts = read_prompts(k=32, seed=0)\nreviews = read_prompts(\"imdb.csv\", field=\"text\", k=3)"
        ) { rt, args in
            let a = try args.bind("read_prompts", ["path", "field", "k", "seed"])
            let path = try a[0]?.orNil.map { FileBuiltins.url(try $0.asString("path"), rt).path } ?? defaultCorpus
            if path == defaultCorpus, !FileManager.default.fileExists(atPath: path) {
                throw LoupeError("read_prompts: the default corpus \(path) is missing", hint: "install Debian's fortunes package (apt-get install fortunes) or pass a path")
            }
            let field = try a[1]?.orNil.map { try $0.asString("field") }
            var prompts = try TableBindings.checked { try TextDataset.load(path: path, field: field) }
            if let k = try a[2]?.orNil?.asInt("k") {
                guard k >= 0 else { throw LoupeError("read_prompts: k must be ≥ 0, not \(k)") }
                prompts = TextDataset.sample(prompts, k: k, seed: UInt64(max(0, try a[3]?.asInt("seed") ?? 0)))
            }
            return .list(prompts.map { .string($0) })
        }

        Builtins.register(
            name: "random_tokens",
            doc: "n token ids drawn uniformly from [0, vocab) as an int tensor [n] (seed 002's torch.randint). vocab may be a model.",
            signature: "random_tokens(n, vocab, seed=0)",
            example: "ids = random_tokens(31, model, seed=1)"
        ) { rt, args in
            let a = try args.bind("random_tokens", ["n", "vocab", "seed"], required: 2)
            let (n, vocab, seed) = try (count(a[0]!, "n"), vocabSize(a[1]!, rt), seedArg(a[2]))
            return ids(RandomInputs.uniform(length: n, vocab: vocab, seed: seed))
        }

        Builtins.register(
            name: "repeated_token",
            doc: "One random token repeated n times, as an int tensor [n] (seed 002's torch.full((1, n), token)).",
            signature: "repeated_token(n, vocab, seed=0)",
            example: "ids = repeated_token(31, model, seed=2)"
        ) { rt, args in
            let a = try args.bind("repeated_token", ["n", "vocab", "seed"], required: 2)
            let (n, vocab, seed) = try (count(a[0]!, "n"), vocabSize(a[1]!, rt), seedArg(a[2]))
            return ids(RandomInputs.repeatedToken(length: n, vocab: vocab, seed: seed))
        }

        Builtins.register(
            name: "repeated_sequence",
            doc: "A random sequence of `period` tokens repeated `repeats` times, as an int tensor [period·repeats] (seed 002's randint((1, 3)).repeat(1, 10)).",
            signature: "repeated_sequence(period, repeats, vocab, seed=0)",
            example: "ids = repeated_sequence(3, 10, model, seed=3)"
        ) { rt, args in
            let a = try args.bind("repeated_sequence", ["period", "repeats", "vocab", "seed"], required: 3)
            let period = try count(a[0]!, "period"), repeats = try count(a[1]!, "repeats")
            let vocab = try vocabSize(a[2]!, rt), seed = try seedArg(a[3])
            return ids(RandomInputs.repeatedSequence(period: period, repeats: repeats, vocab: vocab, seed: seed))
        }

        Builtins.register(
            name: "histogram_density",
            doc: """
            numpy.histogram(values, bins=edges, density=True): the density in each bin [e_i, e_i+1) (the \
            last closed), so histograms of different layers share bins. `edges` is a list/tensor of edges or \
            a bin count (equal bins over the values' range). density=False gives counts. Returns a tensor.
            """,
            signature: "histogram_density(values, edges, density=True)",
            example: "edges = linspace(-5, 5, 51)\nrows = [histogram_density(q[l], edges) for l in range(n_layers)]"
        ) { _, args in
            let a = try args.bind("histogram_density", ["values", "edges", "density"], required: 2)
            let values = try ViewArguments.numbers(a[0]!, "values").values
            let edges: [Double]
            if case .int(let bins) = a[1]! {
                guard bins >= 1 else { throw LoupeError("histogram_density: bins must be ≥ 1") }
                edges = Histogram.edges(values, bins: bins)
            } else {
                edges = try ViewArguments.numbers(a[1]!, "edges").values.map(Double.init)
                guard edges.count >= 2 else { throw LoupeError("histogram_density: edges needs at least 2 values") }
                for i in 1..<edges.count where !(edges[i] > edges[i - 1]) {
                    throw LoupeError("histogram_density: edges must increase (edges[\(i)] = \(edges[i]) after \(edges[i - 1]))")
                }
            }
            let h = Histogram.counts(values, edges: edges, density: a[2]?.isTruthy ?? true)
            return .tensor(Tensor(shape: [h.count], data: h.map(Float.init)))
        }

        Builtins.register(
            name: "attention_windows",
            doc: """
            Seed 003's windows over key positions: (start, stop) pairs of `size` positions moving by `stride`; \
            the last window ends at `length` so every position is shown. One window when length ≤ size.
            """,
            signature: "attention_windows(length, size=32, stride=5)",
            example: "for j, (a, b) in enumerate(attention_windows(45)): print(j, a, b)"
        ) { _, args in
            let a = try args.bind("attention_windows", ["length", "size", "stride"], required: 1)
            let length = try count(a[0]!, "length")
            let size = try a[1]?.asInt("size") ?? 32, stride = try a[2]?.asInt("stride") ?? 5
            guard size >= 1, stride >= 1 else { throw LoupeError("attention_windows: size and stride must be ≥ 1") }
            return .list(AttentionWindows.starts(length: length, size: size, stride: stride)
                .map { .tuple([.int($0), .int(min($0 + size, length))]) })
        }
    }

    /// Row-major values of an [n, d] matrix (tensor or nested lists).
    static func matrix(_ v: Value, _ what: String) throws -> ([Float], Int, Int) {
        let (x, shape) = try ViewArguments.numbers(v, what)
        guard shape.count == 2, shape[0] >= 1, shape[1] >= 1 else {
            throw LoupeError("\(what) must be a 2-d [n, d] tensor or list of rows, got shape \(TensorMath.shapeText(shape))")
        }
        guard x.allSatisfy({ $0.isFinite }) else { throw LoupeError("\(what) contains NaN or infinity") }
        return (x, shape[0], shape[1])
    }

    static func count(_ v: Value, _ what: String) throws -> Int {
        let n = try v.asInt(what)
        guard n >= 0 else { throw LoupeError("\(what) must be ≥ 0, not \(n)") }
        return n
    }

    static func seedArg(_ v: Value?) throws -> UInt64 { UInt64(bitPattern: Int64(try v?.orNil?.asInt("seed") ?? 0)) }

    /// An int, or a model (its d_vocab).
    static func vocabSize(_ v: Value, _ rt: Interpreter) throws -> Int {
        if case .host = v {
            if let d = try? rt.getAttribute(v, "d_vocab") { return try d.asInt("d_vocab") }
            if let cfg = try? rt.getAttribute(v, "cfg") {
                if case .dict(let c) = cfg, let d = try c.get(.string("d_vocab")) { return try d.asInt("d_vocab") }
                if let d = try? rt.getAttribute(cfg, "d_vocab") { return try d.asInt("d_vocab") }
            }
        }
        let n = try v.asInt("vocab")
        guard n >= 1 else { throw LoupeError("vocab must be ≥ 1, not \(n)") }
        return n
    }

    static func ids(_ xs: [Int]) -> Value { .tensor(Tensor(shape: [xs.count], data: xs.map(Float.init)), kind: .int) }
}
