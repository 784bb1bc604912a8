/**
 * Every selling domain's order plug-in, so the orders function (and the jobs function) can
 * release inventory, apply fee rules and run paid hooks for any order. A domain function
 * imports only its own.
 */
import '../ticketing/order-plugin';
import '../parking/order-plugin';
import '../cruise/order-plugin';
import '../bikes/order-plugin';
