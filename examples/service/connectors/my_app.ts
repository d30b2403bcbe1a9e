// The connector folder `npm start` gives `sluice serve --connectors`: the my-app connector, registered
// under this file's name, `my_app`.
export { default } from '@sluice/example-my-app/connector';
