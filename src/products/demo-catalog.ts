import type { ProductEntity } from './product.entity';

type DemoProduct = Pick<ProductEntity, 'sku' | 'name' | 'description' | 'price' | 'stock' | 'sales'>;

/**
 * The `SEED_DEMO` catalog. The first two are the ones the README's examples use; they
 * also sell best, so they head the default (sales) listing.
 */
export const DEMO_CATALOG: DemoProduct[] = [
  {
    sku: 'DEMO-EARBUDS',
    name: '无线耳机',
    description: '蓝牙 5.3 真无线耳机，带充电盒',
    price: 19900,
    stock: 500,
    sales: 9800,
  },
  { sku: 'DEMO-KEYBOARD', name: '机械键盘', description: '87 键热插拔机械键盘', price: 89900, stock: 200, sales: 9500 },
  ...(
    [
      ['DEMO-MOUSE', '无线鼠标', 'Wireless mouse', 12900],
      ['DEMO-MONITOR', '27 英寸显示器', '27-inch 4K monitor', 229900],
      ['DEMO-USB-HUB', 'USB-C 扩展坞', 'USB-C hub with HDMI', 25900],
      ['DEMO-CHARGER', '氮化镓充电器', '65 W GaN charger', 14900],
      ['DEMO-CABLE', '编织数据线', 'Braided USB-C cable, 2 m', 3900],
      ['DEMO-POWERBANK', '移动电源', '20,000 mAh power bank', 15900],
      ['DEMO-SPEAKER', '蓝牙音箱', 'Portable Bluetooth speaker', 29900],
      ['DEMO-WEBCAM', '高清摄像头', '1080p webcam', 24900],
      ['DEMO-MIC', '桌面麦克风', 'USB condenser microphone', 39900],
      ['DEMO-LAMP', '护眼台灯', 'LED desk lamp', 19900],
      ['DEMO-STAND', '笔记本支架', 'Aluminium laptop stand', 9900],
      ['DEMO-BAG', '双肩背包', '15-inch laptop backpack', 17900],
      ['DEMO-SSD', '移动固态硬盘', '1 TB portable SSD', 59900],
      ['DEMO-SDCARD', '存储卡', '128 GB microSD card', 8900],
      ['DEMO-ROUTER', '无线路由器', 'Wi-Fi 7 router', 69900],
      ['DEMO-WATCH', '智能手表', 'Smart watch with GPS', 129900],
      ['DEMO-BAND', '运动手环', 'Fitness band', 22900],
      ['DEMO-TABLET', '平板电脑', '11-inch tablet', 249900],
      ['DEMO-PEN', '手写笔', 'Stylus for tablets', 39900],
      ['DEMO-CASE', '手机壳', 'Shock-proof phone case', 4900],
      ['DEMO-FILM', '钢化膜', 'Tempered glass screen protector', 2900],
      ['DEMO-KETTLE', '电热水壶', '1.7 L electric kettle', 12900],
      ['DEMO-COFFEE', '咖啡机', 'Espresso machine', 199900],
      ['DEMO-BLENDER', '破壁机', 'High-speed blender', 49900],
      ['DEMO-FAN', '落地扇', 'Quiet pedestal fan', 26900],
      ['DEMO-PURIFIER', '空气净化器', 'HEPA air purifier', 159900],
      ['DEMO-VACUUM', '扫地机器人', 'Robot vacuum', 249900],
      ['DEMO-TOOTHBRUSH', '电动牙刷', 'Sonic toothbrush', 19900],
      ['DEMO-SCALE', '体脂秤', 'Smart bathroom scale', 9900],
      ['DEMO-UMBRELLA', '折叠伞', 'Compact umbrella', 5900],
    ] as const
  ).map(([sku, name, description, price], index) => ({
    sku,
    name,
    description,
    price,
    stock: 100 + ((index * 37) % 400),
    sales: 9000 - index * 250,
  })),
];
