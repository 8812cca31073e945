import LoupeScript

// LoupeTensor has its own BinaryOp/UnaryOp (elementwise kernels); inside the runtime the bare names
// mean the language's operators.
typealias BinaryOp = LoupeScript.BinaryOp
typealias UnaryOp = LoupeScript.UnaryOp
