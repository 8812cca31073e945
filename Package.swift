// swift-tools-version:6.0
import PackageDescription

// One product, the `loupe` executable; one library target per layer. Dependencies point one way:
//   Tensor <- Formats <- Tokenizers <- Models <- Analysis            (the engine)
//   Formats <- Image (+ CImageCodecs: libjpeg-turbo, libpng)  (pictures: decoding, resizing, CLIP preprocessing)
//   Plot; Notebook (cells, outputs, the `# %%` and .ipynb formats) <- Report; Script   (stand alone)
//   Formats <- Notebook, Report                        (one JSON codec: the notebook formats, report data)
//   Script + Tensor + Notebook <- Interpreter          (the language: values, evaluation, core builtins)
//   Interpreter + Analysis + Image + Plot + Report <- Library  (the builtins that bind the engine; the notebook runner)
//   Library <- Kernel (+ CZeroMQ: libzmq; CCrypto: OpenSSL's HMAC)  (the Jupyter kernel)
//   Library + Kernel <- loupe                          (command line, REPL)
// Nothing in the Interpreter calls up into the Library: the executable installs the Library into it.
let swiftSettings: [SwiftSetting] = [
    .unsafeFlags(["-Ounchecked", "-wmo"], .when(configuration: .release)),
    .swiftLanguageMode(.v5),
]
// The numeric layers are optimised in debug builds too: the test suite runs real models and the seed
// notebooks through them, and -Onone kernels are tens of times slower.
let numericSettings: [SwiftSetting] = swiftSettings + [.unsafeFlags(["-O"], .when(configuration: .debug))]

let package = Package(
    name: "Loupe",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "loupe", targets: ["loupe"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/johnsundell/ink", from: "0.6.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.19"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
    ],
    targets: [
        .systemLibrary(name: "COpenBLAS", path: "Sources/COpenBLAS"),
        .systemLibrary(name: "CFFTW", path: "Sources/CFFTW"),
        .systemLibrary(name: "CEditLine", path: "Sources/CEditLine"),
        .systemLibrary(name: "CCrypto", path: "Sources/CCrypto"),
        .systemLibrary(name: "CZeroMQ", path: "Sources/CZeroMQ"),
        // Debian's libjpeg-turbo and libpng behind a small C shim: every setjmp that catches one of
        // their errors lives in C, so no longjmp crosses a Swift frame.
        .target(name: "CImageCodecs", linkerSettings: [.linkedLibrary("jpeg"), .linkedLibrary("png")]),
        // bf16 products with f32 accumulation through Debian's oneDNN (libdnnl), on AVX512_BF16 where present.
        .target(name: "CBF16Kernels", cSettings: [.unsafeFlags(["-O2"])], linkerSettings: [.linkedLibrary("dnnl"), .linkedLibrary("gomp")]),
        // Vectorised activations and softmax (AVX-512 bodies picked at run time, scalar otherwise).
        .target(name: "CKernels", cSettings: [.unsafeFlags(["-O2"])]),
        .target(name: "LoupeTensor", dependencies: ["COpenBLAS", "CBF16Kernels", "CKernels"], swiftSettings: numericSettings),
        .target(name: "LoupeFormats", dependencies: ["LoupeTensor"], swiftSettings: numericSettings),
        .target(name: "LoupeTokenizers", dependencies: ["LoupeFormats"], swiftSettings: numericSettings),
        .target(name: "LoupeModels", dependencies: ["LoupeTensor", "LoupeFormats", "LoupeTokenizers"],
                swiftSettings: numericSettings),
        .target(name: "LoupeAnalysis",
                dependencies: ["LoupeModels", "CFFTW", .product(name: "GRDB", package: "GRDB.swift")],
                swiftSettings: numericSettings),
        .target(name: "LoupeImage", dependencies: ["LoupeFormats", "CImageCodecs"], swiftSettings: numericSettings),
        .target(name: "LoupePlot", swiftSettings: numericSettings),
        .target(name: "LoupeNotebook", dependencies: ["LoupeFormats"], swiftSettings: swiftSettings),
        .target(name: "LoupeReport", dependencies: ["LoupePlot", "LoupeFormats", "LoupeNotebook", .product(name: "Ink", package: "ink")],
                resources: [.copy("Assets")], swiftSettings: swiftSettings),
        .target(name: "LoupeScript", swiftSettings: swiftSettings),
        .target(name: "LoupeInterpreter", dependencies: ["LoupeScript", "LoupeTensor", "LoupeNotebook"],
                swiftSettings: swiftSettings),
        .target(name: "LoupeLibrary",
                dependencies: ["LoupeInterpreter", "LoupeAnalysis", "LoupeImage", "LoupePlot", "LoupeReport", "CCrypto",
                               .product(name: "ZIPFoundation", package: "ZIPFoundation")],
                swiftSettings: swiftSettings),
        // The Jupyter kernel: the messaging protocol over ZeroMQ, HMAC-signed, around one interpreter.
        .target(name: "LoupeKernel",
                dependencies: ["LoupeLibrary", "CZeroMQ", "CCrypto"],
                swiftSettings: swiftSettings),
        .executableTarget(name: "loupe",
                          dependencies: ["LoupeLibrary", "LoupeKernel", "CEditLine",
                                         .product(name: "ArgumentParser", package: "swift-argument-parser")],
                          swiftSettings: swiftSettings),
        .testTarget(name: "LoupeTensorTests", dependencies: ["LoupeTensor"]),
        .testTarget(name: "LoupeFormatsTests", dependencies: ["LoupeFormats"]),
        .testTarget(name: "LoupeTokenizersTests", dependencies: ["LoupeTokenizers"]),
        .testTarget(name: "LoupeModelsTests", dependencies: ["LoupeModels"]),
        .testTarget(name: "LoupeAnalysisTests", dependencies: ["LoupeAnalysis"]),
        .testTarget(name: "LoupeImageTests", dependencies: ["LoupeImage"], swiftSettings: numericSettings),
        .testTarget(name: "LoupePlotTests", dependencies: ["LoupePlot"]),
        .testTarget(name: "LoupeReportTests", dependencies: ["LoupeReport", "LoupeFormats", "LoupeNotebook"]),
        .testTarget(name: "LoupeScriptTests", dependencies: ["LoupeScript"]),
        .testTarget(name: "LoupeNotebookTests", dependencies: ["LoupeNotebook"]),
        .testTarget(name: "LoupeInterpreterTests", dependencies: ["LoupeInterpreter"]),
        .testTarget(name: "LoupeLibraryTests", dependencies: ["LoupeLibrary", "LoupeInterpreter", "LoupeNotebook"]),
        .testTarget(name: "LoupeKernelTests", dependencies: ["LoupeKernel", "LoupeFormats", "LoupeNotebook"]),
        .testTarget(name: "LoupeCLITests", dependencies: ["LoupeLibrary", "LoupeInterpreter", "LoupeNotebook"]),
    ]
)
