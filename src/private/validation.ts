import { Token } from 'aws-cdk-lib';
import { escapeIamPattern } from './iam-pattern';
import { inEveryLanguage } from './method-names';

// IAM's own patterns: https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html
const NAME_CHARS = /^[A-Za-z0-9+=,.@_-]+$/;
const PATH_CHARS = /^[\u0021-\u007E]+$/;
const DESCRIPTION_CHARS = /^[\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]*$/;

/**
 * Throws when a literal IAM name is not 1-`max` characters of `[A-Za-z0-9+=,.@_-]`.
 */
export function validateIamName(prop: string, value: string | undefined, max: number): void {
  if (value === undefined || Token.isUnresolved(value)) {
    return;
  }
  if (value.length < 1 || value.length > max || !NAME_CHARS.test(value)) {
    throw new Error(`${prop} must be 1-${max} characters of [A-Za-z0-9+=,.@_-], got '${value}' (${value.length} characters)`);
  }
}

/**
 * Throws when a literal IAM path is not 1-512 printable ASCII characters that start and end with '/'.
 */
export function validatePath(value: string | undefined): void {
  if (value === undefined || Token.isUnresolved(value)) {
    return;
  }
  if (value.length < 1 || value.length > 512 || !value.startsWith('/') || !value.endsWith('/') || !PATH_CHARS.test(value)) {
    throw new Error(`path must be 1-512 printable ASCII characters that start and end with '/' (for example '/imagebuilder/'), got '${value}'`);
  }
}

/**
 * Throws when a literal role description is over 1000 characters or holds characters IAM refuses.
 */
export function validateDescription(value: string | undefined): void {
  if (value === undefined || Token.isUnresolved(value)) {
    return;
  }
  if (value.length > 1000) {
    throw new Error(`description must be at most 1000 characters, got ${value.length} characters: '${value.slice(0, 40)}...'`);
  }
  if (!DESCRIPTION_CHARS.test(value)) {
    throw new Error(`description may hold only tabs, newlines and characters of Latin-1 (U+0020-U+007E, U+00A1-U+00FF), got '${value}'`);
  }
}

/**
 * The folder a key prefix names, as an IAM pattern without a trailing slash: 'components' and 'components/'
 * are the same folder, and `*`, `?` and `$` are escaped, since they are characters of the key. Returns ''
 * for the whole bucket (no prefix). A prefix with tokens keeps them as they are (see folderPattern); its literal
 * text is checked and escaped like a literal prefix.
 */
export function normalizeKeyPrefix(prop: string, value: string | undefined): string {
  if (value === undefined) {
    return '';
  }
  const literal = Token.isUnresolved(value) ? value.split(/\$\{Token\[[^\]]*\]\}/) : [value];
  const problem = value === '' ? `must not be empty (leave ${inEveryLanguage('keyPrefix')} out for the whole bucket)`
    : literal[0].startsWith('/') ? 'must not start with \'/\''
      : literal.some(part => part.includes('//')) ? 'must not contain an empty folder name (\'//\')'
        : undefined;
  if (problem) {
    throw new Error(`${prop} ${problem}: give the folder as a plain S3 key prefix such as 'components' or 'logs/imagebuilder', got '${value}'`);
  }
  return escapeIamPattern(value.endsWith('/') ? value.slice(0, -1) : value);
}
