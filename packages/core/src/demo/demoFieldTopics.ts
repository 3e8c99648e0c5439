import { type DemoTopic, moduleSeed, resource, stageSeed } from './demoTopic.js';

export const frontend: DemoTopic = {
  id: 'frontend',
  name: 'React and frontend development',
  pattern: /\breact\b|front[- ]?end|\bjavascript\b|\btypescript\b|\bnext\.?js\b|\bweb dev|\bhtml\b|\bcss\b/,
  technologies: ['HTML', 'CSS', 'JavaScript', 'TypeScript', 'React', 'Vite'],
  codeLanguage: 'tsx',
  commentPrefix: '//',
  codeSample: `import { useState } from 'react';

export function Counter() {
  const [count, setCount] = useState(0);
  return <button onClick={() => setCount(count + 1)}>Clicked {count} times</button>;
}`,
  stages: [
    stageSeed(
      'Web foundations',
      'The platform every frontend framework builds on.',
      moduleSeed('HTML and CSS', ['Semantic HTML', 'CSS layout with flexbox and grid', 'Responsive design']),
      moduleSeed('JavaScript essentials', [
        'JavaScript syntax and types',
        'DOM and events',
        'Promises and async/await',
      ]),
    ),
    stageSeed(
      'React fundamentals',
      'Describe user interfaces as components of state.',
      moduleSeed('Components', ['JSX and components', 'Props and composition', 'Rendering lists and conditions']),
      moduleSeed('State and effects', ['State with useState', 'Effects with useEffect', 'Handling forms']),
    ),
    stageSeed(
      'Building applications',
      'Structure, type and test applications that grow.',
      moduleSeed('Application architecture', ['Routing', 'Data fetching and caching', 'Global state management']),
      moduleSeed('Quality', ['TypeScript with React', 'Testing components', 'Accessibility']),
    ),
    stageSeed(
      'Production frontend',
      'Fast, shippable and consistent user interfaces.',
      moduleSeed('Performance', ['Rendering performance', 'Code splitting', 'Server rendering with Next.js']),
      moduleSeed('Shipping', ['Build tooling with Vite', 'Deploying a frontend', 'Design systems']),
    ),
  ],
  resources: [
    resource('documentation', 'React documentation', 'https://react.dev/learn', 'The official React guide.'),
    resource(
      'documentation',
      'MDN Web Docs',
      'https://developer.mozilla.org/en-US/docs/Web',
      'Web platform reference.',
    ),
    resource('article', 'The Modern JavaScript Tutorial', 'https://javascript.info/', 'JavaScript from the ground up.'),
    resource(
      'documentation',
      'TypeScript Handbook',
      'https://www.typescriptlang.org/docs/handbook/intro.html',
      'Types.',
    ),
    resource('course', 'web.dev Learn', 'https://web.dev/learn', 'Courses on CSS, accessibility and performance.'),
    resource('tool', 'Vite', 'https://vite.dev/guide/', 'Fast development server and bundler.'),
  ],
  fact: {
    question: 'Which hook stores local state in a React function component?',
    options: ['useState', 'useEffect', 'useContext', 'useMemo'],
    answer: 0,
    explanation: '`useState` returns the current value and a setter that schedules a re-render.',
  },
};

export const machineLearning: DemoTopic = {
  id: 'machine-learning',
  name: 'machine learning',
  pattern: /machine learning|\bml\b|deep learning|neural net|\bai\b|pytorch|tensorflow|\bllms?\b/,
  technologies: ['Python', 'NumPy', 'scikit-learn', 'PyTorch', 'Jupyter'],
  codeLanguage: 'python',
  commentPrefix: '#',
  codeSample: `from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

features, labels = load_iris(return_X_y=True)
train_x, test_x, train_y, test_y = train_test_split(features, labels, random_state=0)
model = LogisticRegression(max_iter=200).fit(train_x, train_y)
print(f"accuracy: {model.score(test_x, test_y):.2f}")`,
  stages: [
    stageSeed(
      'Mathematical and programming foundations',
      'The math and tools every machine learning practitioner uses.',
      moduleSeed('Math for machine learning', ['Linear algebra essentials', 'Probability and statistics', 'Gradients']),
      moduleSeed('Tools', ['Python for machine learning', 'NumPy arrays', 'Jupyter notebooks']),
    ),
    stageSeed(
      'Classical machine learning',
      'Supervised learning and how to evaluate models honestly.',
      moduleSeed('Supervised learning', [
        'Linear regression',
        'Logistic regression',
        'Decision trees and random forests',
      ]),
      moduleSeed('Model evaluation', ['Train, validation and test splits', 'Classification metrics', 'Regularization']),
    ),
    stageSeed(
      'Deep learning',
      'Neural networks from the single neuron to transformers.',
      moduleSeed('Neural networks', ['Neural network basics', 'Backpropagation', 'Training with PyTorch']),
      moduleSeed('Architectures', ['Convolutional neural networks', 'Sequence models', 'Transformers and attention']),
    ),
    stageSeed(
      'Machine learning in production',
      'Turn experiments into systems that stay reliable.',
      moduleSeed('Applied machine learning', ['Feature engineering', 'Clustering', 'Fine-tuning pretrained models']),
      moduleSeed('MLOps', ['Experiment tracking', 'Model serving', 'Monitoring models in production']),
    ),
  ],
  resources: [
    resource('documentation', 'scikit-learn User Guide', 'https://scikit-learn.org/stable/user_guide.html', 'Guide.'),
    resource('documentation', 'PyTorch Tutorials', 'https://pytorch.org/tutorials/', 'Official tutorials.'),
    resource(
      'course',
      'Machine Learning Crash Course',
      'https://developers.google.com/machine-learning/crash-course',
      'Short course.',
    ),
    resource('book', 'Dive into Deep Learning', 'https://d2l.ai/', 'Interactive book with runnable code.'),
    resource('course', 'Hugging Face Learn', 'https://huggingface.co/learn', 'Courses on transformers.'),
    resource('course', 'Kaggle Learn', 'https://www.kaggle.com/learn', 'Hands-on micro-courses.'),
  ],
  fact: {
    question: 'Which technique reduces overfitting by penalising large model weights?',
    options: ['Regularization', 'Data leakage', 'A higher learning rate', 'Training on the test set'],
    answer: 0,
    explanation: 'L1 and L2 regularization add a penalty on weights to the loss, favouring simpler models.',
  },
};

export const devops: DemoTopic = {
  id: 'devops',
  name: 'Kubernetes and DevOps',
  pattern: /kubernetes|\bk8s\b|devops|docker|container|terraform|ci\/cd|\bsre\b/,
  technologies: ['Linux', 'Docker', 'Kubernetes', 'Helm', 'Terraform', 'GitHub Actions', 'Prometheus'],
  codeLanguage: 'yaml',
  commentPrefix: '#',
  codeSample: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
  selector:
    matchLabels: { app: web }
  template:
    metadata:
      labels: { app: web }
    spec:
      containers:
        - name: web
          image: nginx:1.27
          ports: [{ containerPort: 80 }]`,
  stages: [
    stageSeed(
      'DevOps foundations',
      'The command line, networking and containers.',
      moduleSeed('Linux and networking', ['Linux command line', 'Networking basics', 'Git workflows']),
      moduleSeed('Containers', ['Containers and images', 'Writing a Dockerfile', 'Docker Compose']),
    ),
    stageSeed(
      'Kubernetes fundamentals',
      'The objects Kubernetes uses to run and connect workloads.',
      moduleSeed('Core objects', ['Pods', 'Deployments and ReplicaSets', 'Services and networking']),
      moduleSeed('Configuration', ['ConfigMaps and Secrets', 'Persistent volumes', 'Namespaces and RBAC']),
    ),
    stageSeed(
      'Delivery pipelines',
      'Build, test and deploy automatically.',
      moduleSeed('Continuous integration', ['CI pipelines with GitHub Actions', 'Container registries', 'Tests in CI']),
      moduleSeed('Deployment', ['Helm charts', 'GitOps with Argo CD', 'Rolling updates and rollbacks']),
    ),
    stageSeed(
      'Operating at scale',
      'Infrastructure as code, scaling and reliability.',
      moduleSeed('Infrastructure', [
        'Infrastructure as code with Terraform',
        'Autoscaling',
        'Ingress and load balancing',
      ]),
      moduleSeed('Reliability', ['Monitoring with Prometheus', 'Logging and tracing', 'Incident response']),
    ),
  ],
  resources: [
    resource('documentation', 'Kubernetes documentation', 'https://kubernetes.io/docs/home/', 'Concepts and tasks.'),
    resource('documentation', 'Docker documentation', 'https://docs.docker.com/', 'Images, containers, Compose.'),
    resource('course', 'Kubernetes Basics', 'https://kubernetes.io/docs/tutorials/kubernetes-basics/', 'Tutorial.'),
    resource('tool', 'Helm', 'https://helm.sh/docs/', 'The Kubernetes package manager.'),
    resource('course', 'Terraform tutorials', 'https://developer.hashicorp.com/terraform/tutorials', 'Hands-on.'),
    resource('book', 'Site Reliability Engineering', 'https://sre.google/sre-book/table-of-contents/', 'Free book.'),
  ],
  fact: {
    question: 'Which Kubernetes object keeps a set of identical pods running and rolls out updates?',
    options: ['Deployment', 'ConfigMap', 'Service', 'Namespace'],
    answer: 0,
    explanation: 'A Deployment manages ReplicaSets, replacing pods gradually when its template changes.',
  },
};

export const dataScience: DemoTopic = {
  id: 'data-science',
  name: 'data science',
  pattern: /data scien|data analy|\bpandas\b|statistic|data visuali/,
  technologies: ['Python', 'pandas', 'NumPy', 'Matplotlib', 'Jupyter', 'SQL'],
  codeLanguage: 'python',
  commentPrefix: '#',
  codeSample: `import pandas as pd

sales = pd.DataFrame({"region": ["north", "south", "north"], "revenue": [120, 80, 95]})
summary = sales.groupby("region")["revenue"].agg(["sum", "mean"])
print(summary)`,
  stages: [
    stageSeed(
      'Data foundations',
      'The tools and statistics behind every analysis.',
      moduleSeed('Tools', ['Python for data analysis', 'Notebooks for analysis', 'NumPy fundamentals']),
      moduleSeed('Statistics', ['Descriptive statistics', 'Probability distributions', 'Sampling and inference']),
    ),
    stageSeed(
      'Data wrangling',
      'Load, clean and reshape real data.',
      moduleSeed('pandas', ['DataFrames and Series', 'Cleaning messy data', 'Grouping and aggregation']),
      moduleSeed('Data sources', ['Reading CSV and Excel files', 'Querying data with SQL', 'Working with APIs']),
    ),
    stageSeed(
      'Analysis and visualization',
      'Find patterns and show them clearly.',
      moduleSeed('Visualization', ['Plotting with Matplotlib', 'Statistical plots with seaborn', 'Dashboards']),
      moduleSeed('Analysis', ['Exploratory data analysis', 'Hypothesis testing', 'A/B testing']),
    ),
    stageSeed(
      'Modeling and communication',
      'Predict, forecast and explain results to others.',
      moduleSeed('Modeling', ['Regression analysis', 'Classification with scikit-learn', 'Time series analysis']),
      moduleSeed('Communication', ['Data storytelling', 'Reproducible analysis', 'A capstone analysis project']),
    ),
  ],
  resources: [
    resource('documentation', 'pandas documentation', 'https://pandas.pydata.org/docs/', 'User guide and API.'),
    resource('book', 'Python Data Science Handbook', 'https://jakevdp.github.io/PythonDataScienceHandbook/', 'Book.'),
    resource('course', 'Kaggle Learn', 'https://www.kaggle.com/learn', 'Hands-on micro-courses.'),
    resource('documentation', 'Matplotlib tutorials', 'https://matplotlib.org/stable/tutorials/index.html', 'Plots.'),
    resource('documentation', 'seaborn tutorial', 'https://seaborn.pydata.org/tutorial.html', 'Statistical plots.'),
    resource('tool', 'Project Jupyter', 'https://jupyter.org/', 'Notebooks for interactive analysis.'),
  ],
  fact: {
    question: 'Which pandas method splits rows into groups by the values of a column?',
    options: ['groupby', 'merge', 'concat', 'explode'],
    answer: 0,
    explanation: '`df.groupby("column")` groups rows so that aggregates can be computed per group.',
  },
};
