// The one place the sidebar touches WeCom's JS-SDK (@wecom/jssdk, from npm, version locked by
// package-lock.json). Trunk's pre-build hook bundles this file with the SDK into
// wecom_bridge.js, which the WASM imports (sidebar-ui/src/wecom_bridge.rs): no CDN at run time.
import * as ww from '@wecom/jssdk';

// The JS-APIs the sidebar asks WeCom for.
const JS_API_LIST = ['getContext', 'getCurExternalContact', 'getCurExternalChat', 'sendChatMessage'];

// Whether the page runs inside the WeCom client (its user agent says `wxwork/…`).
export function isWeCom() {
  return Boolean(ww.env && ww.env.isWeCom);
}

// Registers the page with the server's signatures (`GET /api/v1/jssdk/config`): `config` has
// `corp` and `agent`, each `{timestamp, nonceStr, signature}`, plus `corp.corpId` and
// `agent.agentId`. The SDK asks for them when it needs them; both are already here.
export function register(config) {
  ww.register({
    corpId: config.corp.corpId,
    agentId: config.agent.agentId,
    jsApiList: JS_API_LIST,
    getConfigSignature: () => ({
      timestamp: config.corp.timestamp,
      nonceStr: config.corp.nonceStr,
      signature: config.corp.signature,
    }),
    getAgentConfigSignature: () => ({
      timestamp: config.agent.timestamp,
      nonceStr: config.agent.nonceStr,
      signature: config.agent.signature,
    }),
  });
}

// The open chat: where the sidebar was opened from (`getContext`: `single_chat_tools`,
// `group_chat_tools`, …) and, in a one-to-one chat, the customer's external userid
// (`getCurExternalContact`). Both asked at once: neither waits for the other.
// In a customer group chat (`group_chat_tools`) the chat's id instead (`getCurExternalChat`).
export async function currentChat() {
  const [context, contact] = await Promise.allSettled([
    ww.getContext(),
    ww.getCurExternalContact(),
  ]);
  const entry = context.status === 'fulfilled' ? context.value.entry || '' : '';
  if (contact.status === 'fulfilled') {
    return { entry, userId: contact.value.userId || '' };
  }
  if (entry === 'group_chat_tools') {
    try {
      const chat = await ww.getCurExternalChat();
      return { entry, userId: '', chatId: chat.chatId || '' };
    } catch (failure) {
      return { entry, userId: '', error: (failure && failure.errMsg) || String(failure) };
    }
  }
  const failure = contact.reason;
  return {
    entry,
    userId: '',
    error: (failure && (failure.errMsg || failure.message)) || String(failure),
  };
}

// Sends one `sendChatMessage` payload (as the server wrote it) into the open chat. Resolves
// to '' on `sendChatMessage:ok`, else to WeCom's errMsg (`sendChatMessage:cancel` when the
// guide closed the confirmation).
export async function sendMessage(payload) {
  try {
    await ww.sendChatMessage(payload);
    return '';
  } catch (failure) {
    return (failure && (failure.errMsg || failure.message)) || String(failure);
  }
}
