export const odd = true;
