#if PolicyFile
extension PolicyFile {
    /// The syntax of a policy file.
    public enum Format: String, Sendable, Hashable, CaseIterable {
        /// JSON: chosen for `.json` files, and for others whose first non-space character is `{`.
        case json
        /// YAML, read with the YAML 1.2 core schema (`yes` and `no` are strings): chosen for `.yaml` and
        /// `.yml` files, and for others whose first non-space character is not `{`.
        case yaml

        /// The format of the file at `path`: by its extension (`.json`, `.yaml`, `.yml`, in any case);
        /// otherwise JSON when the first character that is not white space is `{`, else YAML.
        public init(path: String, contents: String) {
            let name = path.split(separator: "/").last ?? ""
            let pathExtension = name.split(separator: ".", omittingEmptySubsequences: false).dropFirst().last
            switch pathExtension?.lowercased() {
            case "json": self = .json
            case "yaml", "yml": self = .yaml
            default:
                let first = contents.unicodeScalars.first { !$0.properties.isWhitespace && $0 != "\u{FEFF}" }
                self = first == "{" ? .json : .yaml
            }
        }
    }
}
#endif
