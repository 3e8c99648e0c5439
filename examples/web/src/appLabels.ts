/** The demo app's own strings (the components bring theirs: `englishLabels` / `chineseLabels`). */
export interface AppLabels {
  appName: string;
  skipToContent: string;
  navRoadmaps: string;
  navTasks: string;
  navNew: string;
  myRoadmaps: string;
  myRoadmapsIntro: string;
  createRoadmap: string;
  tasksTitle: string;
  tasksIntro: string;
  taskTitle: string;
  backToTasks: string;
  backToRoadmaps: string;
  newTitle: string;
  newIntro: string;
  roadmapTitle: string;
  conceptHint: string;
  closeConcept: string;
  notFoundTitle: string;
  notFoundText: string;
  goHome: string;
  signedInAs: (user: string) => string;
  signOut: string;
  language: string;
  switchLanguage: string;
  theme: string;
  themeNames: Record<'light' | 'dark' | 'system', string>;
  signInTitle: string;
  signInIntro: string;
  signInLinkHelp: string;
  signInExpired: string;
  signInSignedOut: string;
  devLoginButton: string;
  devLoginWorking: string;
  devLoginUnavailable: string;
  devLoginFailed: string;
  pasteToken: string;
  pasteTokenButton: string;
  invalidToken: string;
}

export const englishAppLabels: AppLabels = {
  appName: 'Roadmap Kit',
  skipToContent: 'Skip to content',
  navRoadmaps: 'My roadmaps',
  navTasks: 'Tasks',
  navNew: 'New roadmap',
  myRoadmaps: 'My roadmaps',
  myRoadmapsIntro: 'Every roadmap you generated, with its cover. Open one to read its concepts.',
  createRoadmap: 'Create a roadmap',
  tasksTitle: 'Generation tasks',
  tasksIntro: 'Live status and cost of every generation. Cancel a running one, retry a failed one.',
  taskTitle: 'Task',
  backToTasks: 'All tasks',
  backToRoadmaps: 'My roadmaps',
  newTitle: 'New roadmap',
  newIntro: 'Describe what you want to learn. Generation runs in the background; you can watch or cancel it.',
  roadmapTitle: 'Roadmap',
  conceptHint: 'Choose a concept to read its tutorial, resources and quiz.',
  closeConcept: 'Close',
  notFoundTitle: 'Page not found',
  notFoundText: 'There is nothing at this address.',
  goHome: 'Go to my roadmaps',
  signedInAs: (user) => `Signed in as ${user}`,
  signOut: 'Sign out',
  language: 'Language',
  switchLanguage: '中文',
  theme: 'Theme',
  themeNames: { light: 'Light', dark: 'Dark', system: 'System' },
  signInTitle: 'Sign in',
  signInIntro: 'This demo runs on the Roadmap Kit reference server. You need a token from it to see your roadmaps.',
  signInLinkHelp:
    'When the server starts with its dev secret it prints a login link, like http://127.0.0.1:3000/#token=… — open that link.',
  signInExpired: 'Your session has expired. Sign in again.',
  signInSignedOut: 'You are signed out.',
  devLoginButton: 'Sign in as the demo user',
  devLoginWorking: 'Signing in…',
  devLoginUnavailable:
    'This server does not hand out dev logins (it uses its own secret or runs in production): use a token from your identity provider.',
  devLoginFailed: 'Dev login failed',
  pasteToken: 'Or paste a token',
  pasteTokenButton: 'Use token',
  invalidToken: 'That is not a valid, unexpired token.',
};

export const chineseAppLabels: AppLabels = {
  appName: 'Roadmap Kit',
  skipToContent: '跳到正文',
  navRoadmaps: '我的路线图',
  navTasks: '任务',
  navNew: '新建路线图',
  myRoadmaps: '我的路线图',
  myRoadmapsIntro: '你生成的所有路线图及其封面。打开一个即可阅读其中的概念。',
  createRoadmap: '创建路线图',
  tasksTitle: '生成任务',
  tasksIntro: '每个生成任务的实时状态和费用。可以取消运行中的任务，重试失败的任务。',
  taskTitle: '任务',
  backToTasks: '全部任务',
  backToRoadmaps: '我的路线图',
  newTitle: '新建路线图',
  newIntro: '描述你想学习的内容。生成在后台进行，你可以随时查看或取消。',
  roadmapTitle: '路线图',
  conceptHint: '选择一个概念，阅读它的教程、资源和测验。',
  closeConcept: '关闭',
  notFoundTitle: '页面不存在',
  notFoundText: '这个地址上没有内容。',
  goHome: '返回我的路线图',
  signedInAs: (user) => `当前用户：${user}`,
  signOut: '退出登录',
  language: '语言',
  switchLanguage: 'English',
  theme: '主题',
  themeNames: { light: '浅色', dark: '深色', system: '跟随系统' },
  signInTitle: '登录',
  signInIntro: '这个演示运行在 Roadmap Kit 参考服务器上。需要服务器签发的令牌才能查看你的路线图。',
  signInLinkHelp: '服务器使用开发密钥启动时会打印一个登录链接，例如 http://127.0.0.1:3000/#token=…，打开该链接即可。',
  signInExpired: '登录已过期，请重新登录。',
  signInSignedOut: '你已退出登录。',
  devLoginButton: '以演示用户登录',
  devLoginWorking: '正在登录…',
  devLoginUnavailable: '此服务器不提供开发登录（使用了自己的密钥或处于生产模式）：请使用身份提供方签发的令牌。',
  devLoginFailed: '开发登录失败',
  pasteToken: '或粘贴令牌',
  pasteTokenButton: '使用令牌',
  invalidToken: '这不是有效且未过期的令牌。',
};
