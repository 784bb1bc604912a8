/**
 * Every selling domain's order plug-in, so the orders function can release inventory and
 * apply fee rules for any order. (A domain function imports only its own.)
 */
export {};
