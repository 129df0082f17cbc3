import * as fs from 'fs';
import { AssetStaging, Stack, Token } from 'aws-cdk-lib';
import * as imagebuilder from 'aws-cdk-lib/aws-imagebuilder';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { IConstruct } from 'constructs';
import { DocumentTokens, readTokenizedDocument } from './component-tokens';

/**
 * An Image Builder component of the app and its document, as far as synthesis can read it.
 */
export interface ComponentSource {
  /** how messages name the component: "component 'name'" */
  readonly label: string;
  readonly component: imagebuilder.CfnComponent;
  /** the AWSTOE document (YAML), when synthesis knows it; values known at deployment are tokens in it */
  readonly data?: string;
  /** what the tokens of `data` stand for, when the data is known only at deployment */
  readonly tokens?: DocumentTokens;
  /** why the document cannot be read, when it cannot */
  readonly problem?: string;
}

/** A readable name for a construct: the path of the L2 around a CfnResource whose id is 'Resource'. */
export function pathOf(construct: IConstruct): string {
  return construct.node.id === 'Resource' && construct.node.scope ? construct.node.scope.node.path : construct.node.path;
}

/**
 * The CfnComponent of a construct: the construct itself, or the L1 of an L2 such as the alpha module's
 * `Component`; undefined for anything else.
 */
export function cfnComponentOf(construct: IConstruct): imagebuilder.CfnComponent | undefined {
  if (construct instanceof imagebuilder.CfnComponent) {
    return construct;
  }
  if (construct.node.defaultChild instanceof imagebuilder.CfnComponent) {
    return construct.node.defaultChild;
  }
  const children = construct.node.children.filter((c): c is imagebuilder.CfnComponent => c instanceof imagebuilder.CfnComponent);
  return children.length === 1 ? children[0] : undefined;
}

/**
 * The document of a component: its inline `data`, or the file of a local asset of the app that its `uri`
 * names (the alpha module's `ComponentData.fromAsset`). Data that holds tokens is read as its text with the
 * tokens in it (see readTokenizedDocument). A `uri` of anything else (an object already in S3), or data that is
 * one value known only at deployment, cannot be read.
 */
export function componentSource(component: imagebuilder.CfnComponent): ComponentSource {
  const label = `component '${Token.isUnresolved(component.name) ? pathOf(component) : component.name}'`;
  if (component.data !== undefined) {
    if (!Token.isUnresolved(component.data)) {
      return { label, component, data: component.data };
    }
    const tokenized = readTokenizedDocument(component, component.data);
    return tokenized
      ? { label, component, data: tokenized.data, tokens: tokenized.tokens }
      : { label, component, problem: 'has data that is not known until deployment' };
  }
  if (component.uri === undefined) {
    return { label, component, problem: 'has neither data nor a uri' };
  }
  const asset = assetAt(component);
  if (!asset) {
    return { label, component, problem: `is given by uri ('${Token.isUnresolved(component.uri) ? 'an S3 object known at deployment' : component.uri}')` };
  }
  const staging = asset.node.tryFindChild('Stage');
  const source = staging instanceof AssetStaging ? staging.sourcePath : undefined;
  if (!asset.isFile || source === undefined) {
    return { label, component, problem: `is given by an asset ('${asset.node.path}') that is not one file` };
  }
  try {
    return { label, component, data: fs.readFileSync(source, 'utf8') };
  } catch (e) {
    return { label, component, problem: `is given by an asset whose file '${source}' cannot be read (${(e as Error).message})` };
  }
}

/** The file asset of the app that a component's uri names, if any. */
function assetAt(component: imagebuilder.CfnComponent): s3assets.Asset | undefined {
  const stack = Stack.of(component);
  const uri = JSON.stringify(stack.resolve(component.uri));
  return stack.node.root.node.findAll().find((c): c is s3assets.Asset => c instanceof s3assets.Asset
    && Stack.of(c) === stack
    && (JSON.stringify(stack.resolve(c.s3ObjectUrl)) === uri || JSON.stringify(stack.resolve(c.bucket.s3UrlForObject(c.s3ObjectKey))) === uri));
}
