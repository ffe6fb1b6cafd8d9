/**
 * The protocol's schemas are built with `zod/mini`, which (unlike the full `zod`) loads no
 * locale: its messages would all read "Invalid input". The server puts the first issue's message
 * into `invalid-message` replies and logs, so it loads the English messages (a client pays
 * nothing for them: the browser never imports this file). ParleyServer.ts imports it first.
 */
import { z } from 'zod/mini';
import { en } from 'zod/locales';

z.config(en());
