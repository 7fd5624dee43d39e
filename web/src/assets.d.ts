/** Vite's `?url` imports: the module is the asset's URL (relative to the built page). */
declare module '*?url' {
  const url: string;
  export default url;
}
