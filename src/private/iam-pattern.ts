import { Token } from 'aws-cdk-lib';

/**
 * Escapes the characters that IAM reads as a wildcard or a policy variable in a resource, so that the text
 * matches only itself.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#policy-vars-specialchars
 */
export function escapeIamPattern(text: string): string {
  const escape = (literal: string) => literal.replace(/[*?$]/g, c => `\${${c}}`);
  if (!Token.isUnresolved(text)) {
    return escape(text);
  }
  // a token stands for a value known at deployment, which is not escaped (it cannot be); the text around it is
  return text.split(/(\$\{Token\[[^\]]*\]\})/).map((part, i) => i % 2 === 1 ? part : escape(part)).join('');
}
