export * from './image-builder-instance-profile';
export * from './component-access-checks';
