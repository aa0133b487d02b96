import CORSSyntax

/// An immutable set of byte strings whose lookup hashes raw bytes and never allocates.
///
/// `Set<String>.contains` costs a SipHash of the whole string (and a `String` to look up, so
/// a lowercased copy for case-insensitive names); this costs one multiply per 8 bytes and a
/// word-wise comparison. Sets of host suffixes hash instead with FNV-1a over the bytes *from
/// last to first*, so walking a host backwards yields the hash of each suffix on the way (see
/// ``OriginMatcher``).
///
/// The table is built from the policy (trusted input) with open addressing at a load of at most
/// 1/2; a lookup probes no further than the longest run the table has, whatever the request sends.
struct ByteStringSet: Sendable {
    /// Member bytes, back to back (lowercased when folding case).
    private let bytes: [UInt8]
    /// Per member: where its bytes start, how many there are, and its hash.
    private let members: [Member]
    /// Index into `members` + 1; 0 is an empty slot.
    private let slots: [UInt32]
    private let mask: Int
    /// The longest probe sequence any member needs: a lookup stops there.
    private let maximumProbes: Int
    /// Compare ASCII letters case-insensitively (header names).
    let foldsCase: Bool
    /// Hash with ``hash(_:prepending:)`` byte by byte (suffix sets) rather than by words.
    let hashesSuffixes: Bool

    private struct Member: Sendable {
        var start: Int
        var count: Int
        var hash: UInt64
    }

    static let emptyHash: UInt64 = 0xcbf2_9ce4_8422_2325
    private static let prime: UInt64 = 0x0000_0100_0000_01b3

    /// One step of the reversed FNV-1a hash: feed bytes from the last to the first.
    @inline(__always)
    static func hash(_ hash: UInt64, prepending byte: UInt8) -> UInt64 {
        (hash ^ UInt64(byte)) &* prime
    }

    @inline(__always)
    static func hash(_ buffer: UnsafeBufferPointer<UInt8>, foldingCase: Bool) -> UInt64 {
        var hash = emptyHash
        var index = buffer.count
        if foldingCase {
            while index > 0 {
                index -= 1
                hash = Self.hash(hash, prepending: buffer[index].asciiLowercased)
            }
        } else {
            while index > 0 {
                index -= 1
                hash = Self.hash(hash, prepending: buffer[index])
            }
        }
        return hash
    }

    /// 8 bytes from `start` (fewer at the end, zero-padded), ASCII-lowercased when `folding`.
    @inline(__always)
    static func word(_ buffer: UnsafeBufferPointer<UInt8>, at start: Int, folding: Bool) -> UInt64 {
        var word: UInt64
        if buffer.count - start >= 8 {
            word = UnsafeRawPointer(buffer.baseAddress! + start).loadUnaligned(as: UInt64.self)
        } else {
            word = 0
            var index = buffer.count
            while index > start {
                index -= 1
                word = word << 8 | UInt64(buffer[index])
            }
            word = UInt64(littleEndian: word)
        }
        if folding {
            // SWAR ASCII lowercase: add 0x20 to every byte in A...Z, leave the others alone.
            let low = word & 0x7f7f_7f7f_7f7f_7f7f
            let atLeastA = low &+ 0x3f3f_3f3f_3f3f_3f3f
            let aboveZ = low &+ 0x2525_2525_2525_2525
            let upper = atLeastA & ~aboveZ & ~word & 0x8080_8080_8080_8080
            word |= upper >> 2
        }
        return word
    }

    /// The word-wise hash (sets that don't hash suffixes).
    @inline(__always)
    static func wordHash(_ buffer: UnsafeBufferPointer<UInt8>, foldingCase: Bool) -> UInt64 {
        var hash = emptyHash ^ UInt64(buffer.count)
        var start = 0
        while start < buffer.count {
            hash = (hash ^ word(buffer, at: start, folding: foldingCase)) &* 0x9e37_79b9_7f4a_7c15
            hash ^= hash >> 32
            start += 8
        }
        return hash
    }

    init<S: Sequence>(_ elements: S, foldingCase: Bool = false, hashingSuffixes: Bool = false)
    where S.Element: StringProtocol {
        self.foldsCase = foldingCase
        self.hashesSuffixes = hashingSuffixes
        var bytes: [UInt8] = []
        var members: [Member] = []
        var seen: [UInt64: [Int]] = [:]
        for element in elements {
            var value = Array(element.utf8)
            if foldingCase { value = value.map(\.asciiLowercased) }
            let hash = value.withUnsafeBufferPointer {
                hashingSuffixes ? Self.hash($0, foldingCase: false) : Self.wordHash($0, foldingCase: false)
            }
            let duplicate = seen[hash, default: []].contains { index in
                let member = members[index]
                return bytes[member.start..<member.start + member.count].elementsEqual(value)
            }
            if duplicate { continue }
            seen[hash, default: []].append(members.count)
            members.append(Member(start: bytes.count, count: value.count, hash: hash))
            bytes += value
        }
        var capacity = 8
        while capacity < members.count * 2 { capacity *= 2 }
        var slots = [UInt32](repeating: 0, count: capacity)
        var maximumProbes = 0
        for (index, member) in members.enumerated() {
            var slot = Int(truncatingIfNeeded: member.hash) & (capacity - 1)
            var probes = 1
            while slots[slot] != 0 {
                slot = (slot + 1) & (capacity - 1)
                probes += 1
            }
            slots[slot] = UInt32(index + 1)
            maximumProbes = max(maximumProbes, probes)
        }
        self.bytes = bytes
        self.members = members
        self.slots = slots
        self.mask = capacity - 1
        self.maximumProbes = maximumProbes
    }

    var isEmpty: Bool { members.isEmpty }

    /// Whether `candidate` (whose ``hash(_:foldingCase:)`` with this set's folding is `hash`) is a member.
    @inline(__always)
    func contains(_ candidate: UnsafeBufferPointer<UInt8>, hash: UInt64) -> Bool {
        if members.isEmpty { return false }
        var slot = Int(truncatingIfNeeded: hash) & mask
        var probes = 0
        while probes < maximumProbes {
            let entry = Int(slots[slot])
            if entry == 0 { return false }
            let member = members[entry - 1]
            if member.hash == hash, member.count == candidate.count, equals(member, candidate) { return true }
            slot = (slot + 1) & mask
            probes += 1
        }
        return false
    }

    @inline(__always)
    func contains(_ candidate: UnsafeBufferPointer<UInt8>) -> Bool {
        if members.isEmpty { return false }
        let hash =
            hashesSuffixes
            ? Self.hash(candidate, foldingCase: foldsCase) : Self.wordHash(candidate, foldingCase: foldsCase)
        return contains(candidate, hash: hash)
    }

    func contains(_ candidate: String) -> Bool {
        if members.isEmpty { return false }
        var candidate = candidate
        return candidate.withUTF8 { contains($0) }
    }

    /// Word by word (the caller checked the counts are equal).
    private func equals(_ member: Member, _ candidate: UnsafeBufferPointer<UInt8>) -> Bool {
        bytes.withUnsafeBufferPointer { all in
            let stored = UnsafeBufferPointer(rebasing: all[member.start..<member.start + member.count])
            var start = 0
            while start < candidate.count {
                if Self.word(stored, at: start, folding: false) != Self.word(candidate, at: start, folding: foldsCase) {
                    return false
                }
                start += 8
            }
            return true
        }
    }
}
