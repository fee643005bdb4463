// Global stylesheets are imported for their side effect by the root layout.
declare module '*.css';
