import { JWEIXIN_PAY_PART } from './jweixin-pay-script.js';

/**
 * The simulator's stand-in for WeChat's jweixin-1.6.0.js, served at GET /jweixin.js of the sandbox
 * (GET /sandbox/jweixin.js in the service's sandbox mode). Labelled as a simulator (`wx.__simulator`).
 * `wx.config` is checked by the sandbox against the account's current ticket, for the url WeChat
 * checks: the url the page was entered with on an iOS WeChat user agent (recorded when this script
 * loads), the current url elsewhere; then every `wx.ready` or `wx.error` callback runs with WeChat's
 * errMsg. The media APIs need a successful config and hand out ids the sandbox's media/get serves;
 * `wx.chooseWXPay` needs one with 'chooseWXPay' in jsApiList, `WeixinJSBridge` none (see JWEIXIN_PAY_PART).
 */
export const JWEIXIN_SCRIPT = `/* WeChat JS-SDK simulator of nest-wechat-h5's sandbox: not WeChat's jweixin. */
(function () {
  'use strict';
  var script = document.currentScript;
  var base = script && script.src ? script.src.replace(/\\/jweixin\\.js(\\?.*)?$/, '') : '';
  var entryUrl = location.href;
  var ua = navigator.userAgent;
  var ios = /MicroMessenger/i.test(ua) && /iPhone|iPad|iPod/i.test(ua);
  var readyCallbacks = [];
  var errorCallbacks = [];
  var state = { configured: false, appId: undefined, jsApiList: [], seq: 0, recording: false, local: 0 };

  function post(path, body) {
    return fetch(base + path, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify(body) })
      .then(function (r) { return r.json(); });
  }
  function finish(o, result, ok) {
    o = o || {};
    if (ok && o.success) o.success(result);
    if (!ok && o.fail) o.fail(result);
    if (o.complete) o.complete(result);
  }
  function needsConfig(name, o) {
    if (state.configured) return false;
    finish(o, { errMsg: name + ':permission denied' }, false);
    return true;
  }
  function upload(name, type, o) {
    if (needsConfig(name, o)) return;
    post('/__jssdk/upload', { appId: state.appId, type: type }).then(
      function (r) { finish(o, r, !!r.serverId); },
      function () { finish(o, { errMsg: name + ':fail' }, false); }
    );
  }

${JWEIXIN_PAY_PART}
  var wx = {
    __simulator: true,
    config: function (c) {
      var seq = ++state.seq;
      state.configured = false;
      var url = (ios ? entryUrl : location.href).split('#')[0];
      post('/__jssdk/verify', { appId: c.appId, timestamp: c.timestamp, nonceStr: c.nonceStr, signature: c.signature, url: url }).then(
        function (r) {
          if (seq !== state.seq) return;
          if (c.debug) alert(JSON.stringify({ errMsg: r.errMsg, realAuthUrl: url }));
          if (r.errMsg === 'config:ok') {
            state.configured = true;
            state.appId = c.appId;
            state.jsApiList = Array.isArray(c.jsApiList) ? c.jsApiList.slice() : [];
            readyCallbacks.slice().forEach(function (f) { f(); });
          } else {
            errorCallbacks.slice().forEach(function (f) { f({ errMsg: r.errMsg }); });
          }
        },
        function () {
          if (seq === state.seq) errorCallbacks.slice().forEach(function (f) { f({ errMsg: 'config:fail' }); });
        }
      );
    },
    ready: function (f) {
      readyCallbacks.push(f);
      if (state.configured) f();
    },
    error: function (f) { errorCallbacks.push(f); },
    checkJsApi: function (o) { finish(o, { errMsg: 'checkJsApi:ok', checkResult: {} }, true); },
    chooseImage: function (o) {
      if (needsConfig('chooseImage', o)) return;
      finish(o, { errMsg: 'chooseImage:ok', localIds: ['wxlocalresource://image' + ++state.local] }, true);
    },
    uploadImage: function (o) { upload('uploadImage', 'image', o); },
    startRecord: function (o) {
      if (needsConfig('startRecord', o)) return;
      state.recording = true;
      finish(o, { errMsg: 'startRecord:ok' }, true);
    },
    stopRecord: function (o) {
      if (needsConfig('stopRecord', o)) return;
      if (!state.recording) return finish(o, { errMsg: 'stopRecord:fail not recording' }, false);
      state.recording = false;
      finish(o, { errMsg: 'stopRecord:ok', localId: 'wxlocalresource://voice' + ++state.local }, true);
    },
    uploadVoice: function (o) { upload('uploadVoice', 'voice', o); },
    chooseWXPay: chooseWXPay
  };
  window.wx = window.jWeixin = wx;
})();
`;
