/**
 * Ethernity v1 resource bounds (format.md section 17) and format constants. Decoders check
 * these before allocating or reconstructing anything.
 * @module
 */

/** Largest reassembled MAIN ciphertext. */
export const MAX_CIPHERTEXT_BYTES = 1_048_576;
/** Largest DATA of one MAIN frame. */
export const MAX_MAIN_FRAME_DATA_BYTES = 1_048_576;
/** Largest TOTAL of a MAIN frame group. */
export const MAX_MAIN_FRAME_TOTAL = 4_096;
/** Longest QR payload text (base64 transport) after whitespace removal. */
export const MAX_QR_PAYLOAD_CHARS = 3_072;
/** Largest AUTH payload CBOR. */
export const MAX_AUTH_CBOR_BYTES = 512;
/** Largest shard payload CBOR. */
export const MAX_SHARD_CBOR_BYTES = 2_048;
/** Largest manifest CBOR. */
export const MAX_MANIFEST_CBOR_BYTES = 1_048_576;
/** Most files in a manifest. */
export const MAX_MANIFEST_FILES = 2_048;
/** Longest path in UTF-8 bytes. */
export const MAX_PATH_BYTES = 512;
/** Most z-base-32 characters in one fallback section after filtering. */
export const MAX_FALLBACK_NORMALIZED_CHARS = 2_000_000;
/** Most filtered lines in one fallback section. */
export const MAX_FALLBACK_LINES = 50_000;
/** Largest recovery text source. */
export const MAX_RECOVERY_TEXT_BYTES = 10_485_760;
/** Largest decompressed (gzip) payload. */
export const MAX_DECOMPRESSED_PAYLOAD_BYTES = 67_108_864;

/** MAIN frame data size Ethernity uses for QR chunks (balanced: total = ceil(len/512)). */
export const QR_CHUNK_BYTES = 512;
/** Signature domain of AUTH payloads. */
export const AUTH_DOMAIN = "ETHERNITY-AUTH-V1";
/** Signature domain of shard payloads. */
export const SHARD_DOMAIN = "ETHERNITY-SHARD-V1";
