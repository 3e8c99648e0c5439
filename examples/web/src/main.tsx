import '@roadmap/react/styles.css';
import './app.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import { takeTokenFromUrl } from './auth.js';

// The dev login link carries the token in the fragment: store it and clean the address bar before anything renders.
takeTokenFromUrl();

const container = document.getElementById('root');
if (!container) throw new Error('#root is missing from index.html');
createRoot(container).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
