// Vite bundles imported CSS into the stylesheet it emits.
declare module '*.css';
