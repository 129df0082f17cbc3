import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App } from 'aws-cdk-lib';
import { FullFeaturedStack } from './helpers/scenarios';

// every prop set: names, path, description, boundary, extra managed policy, container builds,
// KMS-encrypted artifact and log buckets, and a folder added after construction
const app = new App();
const stack = new FullFeaturedStack(app, 'ImageBuilderInstanceProfileFullFeatured');

new IntegTest(app, 'FullFeaturedTest', { testCases: [stack] });
