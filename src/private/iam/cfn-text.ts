// CloudFormation values as texts: literals, Fn::Join and Fn::Sub put together, other intrinsics as holes

import { concat, isIntrinsic, isPlainObject, Text } from './text';

/**
 * The text of a resolved CloudFormation value: strings as they are, `Fn::Join` and `Fn::Sub` put together, and any
 * other intrinsic (`Ref`, `Fn::GetAtt`, ...) as what `expand` gives for it, or else as a hole whose id is the JSON of
 * the intrinsic (so identical intrinsics are the same hole). Undefined for values that are not strings.
 */
export function cfnToText(value: unknown, expand: (intrinsic: Record<string, unknown>) => Text | undefined): Text | undefined {
  if (typeof value === 'string') {
    return value;
  }
  if (!isPlainObject(value) || !isIntrinsic(value)) {
    return undefined;
  }
  const intrinsic = (v: Record<string, unknown>): Text => expand(v) ?? [{ hole: JSON.stringify(v) }];
  if ('Fn::Join' in value) {
    const args = value['Fn::Join'];
    if (Array.isArray(args) && args.length === 2 && typeof args[0] === 'string' && Array.isArray(args[1])) {
      const parts: Text[] = [];
      for (const [i, element] of args[1].entries()) {
        const text = cfnToText(element, expand);
        if (text === undefined) {
          return undefined;
        }
        parts.push(...(i > 0 ? [args[0]] : []), text);
      }
      return concat(parts);
    }
    // a list not known until deployment
    return intrinsic(value);
  }
  if ('Fn::Sub' in value) {
    const args = value['Fn::Sub'];
    const [template, variables] = typeof args === 'string' ? [args, {}] : Array.isArray(args) ? args : [undefined, undefined];
    if (typeof template !== 'string' || !isPlainObject(variables)) {
      return intrinsic(value);
    }
    const parts: Text[] = [];
    let last = 0;
    for (const match of template.matchAll(/\$\{([^}]*)\}/g)) {
      parts.push(template.slice(last, match.index));
      last = match.index! + match[0].length;
      const name = match[1];
      if (name.startsWith('!')) {
        parts.push(`\${${name.slice(1)}}`);
        continue;
      }
      const text = name in variables
        ? cfnToText(variables[name], expand)
        : intrinsic(name.includes('.') ? { 'Fn::GetAtt': [name.slice(0, name.indexOf('.')), name.slice(name.indexOf('.') + 1)] } : { Ref: name });
      if (text === undefined) {
        return undefined;
      }
      parts.push(text);
    }
    parts.push(template.slice(last));
    return concat(parts);
  }
  return intrinsic(value);
}
