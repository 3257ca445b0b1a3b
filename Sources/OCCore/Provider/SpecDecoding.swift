import Foundation
import Yams

/// Decodes one resource spec from YAML text, for tests and tools.
///
/// The manifest loader does the same for every resource after checking the schema; this entry point
/// lets provider tests decode a single spec without a whole manifest.
package enum SpecDecoding {
    /// Decodes `yaml` (the body of one resource) as `type`.
    ///
    /// - Throws: `DecodingError` or a Yams parse error.
    package static func decode<T: ResourceSpec>(_ type: T.Type, yaml: String) throws -> T {
        try YAMLDecoder().decode(type, from: yaml)
    }
}
