import { createMojeebClient } from '@mojeeb/sdk';

const mojeeb = createMojeebClient({ apiKey: process.env.MOJEEB_API_KEY ?? '', baseUrl: process.env.MOJEEB_BASE_URL });
mojeeb.whatsapp.sendTemplate({
  agent_id: '12345678-1234-1234-1234-123456789012',
  from: '+15557654321',
  to: '+15551234567',
  template: { name: 'order_shipped', language: 'en', parameters: { customer_name: 'Sara', tracking_url: 'https://track.example/9001' } },
}).then((message) => console.log(message.id, message.status)) // "queued": follow it with mojeeb.whatsapp.getMessage(message.id)
  .catch((error) => { console.error(String(error)); process.exitCode = 1; });
