import Foundation

/// The k smallest keys seen, kept in a max-heap so a key larger than the k-th is rejected in one compare.
struct BoundedMaxHeap {
    struct Item { var key: Float; var index: Int }
    let capacity: Int
    private(set) var items: [Item] = []

    init(capacity: Int) { self.capacity = capacity; items.reserveCapacity(capacity) }

    mutating func removeAll() { items.removeAll(keepingCapacity: true) }

    mutating func offer(_ key: Float, _ index: Int) {
        guard capacity > 0 else { return }
        if items.count < capacity {
            items.append(Item(key: key, index: index))
            var c = items.count - 1
            while c > 0 {
                let parent = (c - 1) / 2
                if items[parent].key >= items[c].key { break }
                items.swapAt(parent, c); c = parent
            }
        } else if key < items[0].key {
            items[0] = Item(key: key, index: index)
            var c = 0
            while true {
                let l = 2 * c + 1, r = l + 1
                var largest = c
                if l < items.count && items[l].key > items[largest].key { largest = l }
                if r < items.count && items[r].key > items[largest].key { largest = r }
                if largest == c { break }
                items.swapAt(c, largest); c = largest
            }
        }
    }
}

/// Barnes–Hut quadtree over 2-D points, stored flat: per node its square (centre, half width), centre of
/// mass, point count, four child indices (-1 = none) and, for a leaf, its first point.
struct QuadTree {
    private var cx: [Double] = [], cy: [Double] = [], half: [Double] = []
    private var massX: [Double] = [], massY: [Double] = []
    private var count: [Int32] = []
    private var children: [Int32] = [] // [node * 4 + quadrant]
    private var point: [Int32] = []
    private let pts: [Double]

    init(points: [Double], n: Int) {
        pts = points
        var minX = Double.infinity, minY = Double.infinity, maxX = -Double.infinity, maxY = -Double.infinity
        for i in 0..<n {
            minX = min(minX, points[i * 2]); maxX = max(maxX, points[i * 2])
            minY = min(minY, points[i * 2 + 1]); maxY = max(maxY, points[i * 2 + 1])
        }
        let reserve = 2 * n + 1
        cx.reserveCapacity(reserve); cy.reserveCapacity(reserve); half.reserveCapacity(reserve)
        massX.reserveCapacity(reserve); massY.reserveCapacity(reserve); count.reserveCapacity(reserve)
        children.reserveCapacity(4 * reserve); point.reserveCapacity(reserve)
        addNode(cx: (minX + maxX) / 2, cy: (minY + maxY) / 2, half: max(maxX - minX, maxY - minY) / 2 + 1e-5)
        for i in 0..<n { insert(i) }
    }

    private mutating func addNode(cx x: Double, cy y: Double, half h: Double) {
        cx.append(x); cy.append(y); half.append(h)
        massX.append(0); massY.append(0); count.append(0)
        children.append(contentsOf: repeatElement(-1, count: 4)); point.append(-1)
    }

    private mutating func insert(_ i: Int) {
        let x = pts[i * 2], y = pts[i * 2 + 1]
        var node = 0, depth = 0
        while true {
            let c = Double(count[node])
            massX[node] = (massX[node] * c + x) / (c + 1)
            massY[node] = (massY[node] * c + y) / (c + 1)
            count[node] += 1
            if c == 0 { point[node] = Int32(i); return }
            if depth > 50 { return } // coincident points: keep them lumped in this leaf
            if point[node] >= 0 {
                // Split the leaf. Above depth 50 a leaf holding a point holds only it and has no children,
                // so the old point lands alone in a new, empty child.
                let old = Int(point[node])
                point[node] = -1
                let child = childFor(x: pts[old * 2], y: pts[old * 2 + 1], of: node)
                massX[child] = pts[old * 2]; massY[child] = pts[old * 2 + 1]
                count[child] = 1; point[child] = Int32(old)
            }
            node = childFor(x: x, y: y, of: node)
            depth += 1
        }
    }

    private mutating func childFor(x: Double, y: Double, of node: Int) -> Int {
        let q = (x >= cx[node] ? 1 : 0) + (y >= cy[node] ? 2 : 0)
        if children[node * 4 + q] < 0 {
            let h = half[node] / 2
            addNode(cx: cx[node] + (q & 1 == 1 ? h : -h), cy: cy[node] + (q & 2 == 2 ? h : -h), half: h)
            children[node * 4 + q] = Int32(cx.count - 1)
        }
        return Int(children[node * 4 + q])
    }

    /// Σ_j q_ij² Z² (y_i − y_j) approximated, and Σ_j q_ij Z (the normaliser's share of point i).
    /// `stack` is the caller's scratch, reused across calls.
    func repulsion(x: Double, y: Double, theta: Double, stack: inout [Int32]) -> (Double, Double, Double) {
        var fx = 0.0, fy = 0.0, z = 0.0
        stack.removeAll(keepingCapacity: true)
        stack.append(0)
        while let top = stack.popLast() {
            let k = Int(top)
            let m0 = count[k]
            if m0 == 0 { continue }
            let dx = x - massX[k], dy = y - massY[k]
            let d2 = dx * dx + dy * dy
            let isLeaf = children[k * 4] < 0 && children[k * 4 + 1] < 0 && children[k * 4 + 2] < 0 && children[k * 4 + 3] < 0
            if isLeaf || (2 * half[k]) / max(d2.squareRoot(), 1e-12) < theta {
                if isLeaf && d2 < 1e-18 && m0 == 1 { continue } // the point itself
                let q = 1 / (1 + d2)
                let m = Double(m0) - (isLeaf && d2 < 1e-18 ? 1 : 0)
                z += m * q
                fx += m * q * q * dx
                fy += m * q * q * dy
            } else {
                for c in 0..<4 where children[k * 4 + c] >= 0 { stack.append(children[k * 4 + c]) }
            }
        }
        return (fx, fy, z)
    }
}
